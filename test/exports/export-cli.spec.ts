// `sellergate export list|purge`: metadata of the exports held, never their content; purge
// removes the expired ones only.
import { DataExport } from '../../entities/gateway/data-export.entity';
import { registerExportCommands } from '../../src/cli/export.command';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';

const HOUR = 3_600_000;

function exportRow(id: string, expiresAt: Date): DataExport {
  return {
    id,
    principalId: 'tok-1',
    principalKind: 'token',
    principalRole: 'analyst',
    purpose: 'BUSINESS_ANALYSIS',
    format: 'JSONL',
    operationName: 'Q',
    documentHash: 'a'.repeat(64),
    policyVersion: 'default-1+x',
    scopeAccounts: null,
    scopeMarketplaces: null,
    categories: ['ORDERS'],
    rowCount: 2,
    byteSize: 40,
    sha256: 'b'.repeat(64),
    content: Buffer.from('{"secretValue":"row-content"}\n'),
    requestId: 'req-1',
    createdAt: new Date(expiresAt.getTime() - 24 * HOUR),
    expiresAt,
    downloads: 0,
    lastDownloadedAt: null,
  };
}

describe('export CLI', () => {
  let db: TestDatabase;
  const live = '00000000-0000-4000-8000-00000000000a';
  const expired = '00000000-0000-4000-8000-00000000000b';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.manager.insert(DataExport, [exportRow(live, new Date(Date.now() + HOUR)), exportRow(expired, new Date(Date.now() - HOUR))]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('lists the exports that can be downloaded, without their content', async () => {
    const deps = testCliDeps(db);
    const listed = JSON.parse(await runCli(deps, [registerExportCommands], ['export', 'list', '--json'])) as { id: string }[];
    expect(listed.map((e) => e.id)).toEqual([live]);
    expect(listed[0]).toMatchObject({ principal: 'token:tok-1', role: 'analyst', rowCount: 2 });
    const all = await runCli(deps, [registerExportCommands], ['export', 'list', '--all']);
    expect(all).toContain(expired);
    expect(all).not.toContain('row-content');
  });

  it('purges the expired exports only, and records the action', async () => {
    const deps = testCliDeps(db);
    expect(JSON.parse(await runCli(deps, [registerExportCommands], ['export', 'purge', '--json']))).toEqual({ deleted: 1 });
    const ids = (await db.dataSource.query('SELECT id FROM data_export')).map((row: { id: string }) => row.id);
    expect(ids).toEqual([live]);
    const [action] = await db.dataSource.query("SELECT target FROM user_action WHERE action = 'export.purge'");
    expect(action.target).toBe('1');
  });
});
