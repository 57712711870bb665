import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_DOCUMENT, defaultPolicy } from '../../src/policy/default-policy';
import { loadPolicy } from '../../src/policy/load-policy';
import { parsePolicy } from '../../src/policy/policy';

function writePolicy(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('policy as data', () => {
  it('ships the DESIGN.md default with a labelled content-hash version', () => {
    const policy = defaultPolicy();
    expect(policy.version).toMatch(/^default-1\+[0-9a-f]{12}$/);
    expect(Object.keys(policy.roles).sort()).toEqual(['admin', 'ads_manager', 'analyst', 'catalog_manager', 'compliance', 'finance', 'operations', 'security']);
    expect(policy.roles.admin.purposes).toEqual([]);
    expect(policy.aggregates.k).toBe(5);
  });

  it('loads POLICY_FILE instead of the default; the version follows the content', () => {
    const file = writePolicy({ ...DEFAULT_POLICY_DOCUMENT, version: undefined, aggregates: { k: 10 } });
    const policy = loadPolicy({ POLICY_FILE: file });
    expect(policy.aggregates.k).toBe(10);
    expect(policy.version).toMatch(/^[0-9a-f]{12}$/);
    expect(policy.version).not.toBe(defaultPolicy().version.split('+')[1]);
    expect(loadPolicy({}).version).toBe(defaultPolicy().version);
  });

  it('hashes content, not key order', () => {
    const reordered = JSON.parse(JSON.stringify({ roles: DEFAULT_POLICY_DOCUMENT.roles, derivations: DEFAULT_POLICY_DOCUMENT.derivations, aggregates: { k: 5 }, version: 'default-1' }));
    expect(parsePolicy(reordered).version).toBe(defaultPolicy().version);
  });

  it('refuses an invalid file, naming the bad entry', () => {
    const roles = JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT.roles));
    roles.analyst.grants.ACCOUNTING = roles.analyst.grants.BUSINESS_ANALYSIS;
    roles.finance.grants.ACCOUNTING.CONFIDENTIAL = 'sometimes';
    expect(() => loadPolicy({ POLICY_FILE: writePolicy({ roles }) })).toThrow(/roles\.finance\.grants\.ACCOUNTING\.CONFIDENTIAL/);
    delete roles.finance.grants.ACCOUNTING;
    expect(() => loadPolicy({ POLICY_FILE: writePolicy({ roles }) })).toThrow(/roles\.analyst\.grants\.ACCOUNTING: grant for ACCOUNTING, which role analyst may not declare/);
    expect(() => loadPolicy({ POLICY_FILE: writePolicy({ roles: { analyst: { ...roles.analyst, purposes: ['GOSSIP'] } } }) })).toThrow(/roles\.analyst\.purposes\.0/);
    expect(() => loadPolicy({ POLICY_FILE: writePolicy('{ not json') })).toThrow(/not valid JSON/);
    expect(() => loadPolicy({ POLICY_FILE: '/nonexistent/policy.json' })).toThrow(/cannot read/);
  });
});
