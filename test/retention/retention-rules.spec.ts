import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { requestDeletion } from '../../src/retention/deletion.service';
import {
  API_CALL_LOG_DAYS,
  DEFAULT_RETENTION_RULES,
  PERSONAL_DATA_DAYS_AFTER_DELIVERY,
  SECURITY_LOG_MIN_DAYS,
  cutoffOf,
  defaultRetentionRules,
  loadRetentionRules,
  parseRetentionRules,
} from '../../src/retention/retention-rules';
import { nextRunAt, parseSchedule, startRetentionSchedule } from '../../src/retention/retention-schedule';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { AUDIT_KEY, NOW, ORDERS, seedRetentionData } from './retention-fixture';

describe('retention rules as data', () => {
  it('ships documented defaults (the periods of the policy)', () => {
    const rules = defaultRetentionRules();
    expect(rules.version).toMatch(/^default-1\+[0-9a-f]{12}$/);
    expect(new Set(rules.rules.map((r) => r.id)).size).toBe(rules.rules.length);
    expect(rules.rules.every((r) => r.reason.length > 10 && r.enabled)).toBe(true);
    expect(DEFAULT_RETENTION_RULES.find((r) => r.id === 'orders-personal-data')).toMatchObject({ action: 'ANONYMIZE', clock: 'DELIVERY', after: `${PERSONAL_DATA_DAYS_AFTER_DELIVERY}d`, fields: ['shipPostalCode'] });
    expect(DEFAULT_RETENTION_RULES.find((r) => r.id === 'api-call-logs-delete')?.after).toBe(`${API_CALL_LOG_DAYS}d`);
    expect(cutoffOf('24mo', new Date('2026-06-01T12:00:00Z'))).toEqual(new Date('2024-06-01T12:00:00Z'));
    expect(cutoffOf('7y', new Date('2026-06-01T00:00:00Z'))).toEqual(new Date('2019-06-01T00:00:00Z'));
  });

  it('operators override rules by id and add rules; the version follows the content', () => {
    const rules = parseRetentionRules({
      version: 'ops-2026',
      rules: [
        { id: 'api-call-logs-delete', target: 'api_call_logs', action: 'DELETE', clock: 'CREATION', after: '180d', reason: 'Shorter after the security review' },
        { id: 'tracking-pseudonyms', target: 'shipments', action: 'ANONYMIZE', clock: 'SHIPMENT', after: '90d', fields: ['trackingNumber'], reason: 'Tracking numbers are not needed after returns close' },
      ],
    });
    expect(rules.version).toMatch(/^ops-2026\+[0-9a-f]{12}$/);
    expect(rules.rules.find((r) => r.id === 'api-call-logs-delete')?.after).toBe('180d');
    expect(rules.rules.at(-1)?.id).toBe('tracking-pseudonyms');
    expect(rules.rules).toHaveLength(DEFAULT_RETENTION_RULES.length + 1);
  });

  it.each([
    [{ id: 'api-call-logs-delete', target: 'api_call_logs', action: 'DELETE', clock: 'CREATION', after: '60d', reason: 'x' }, `rules[0] (api-call-logs-delete).after: api_call_logs are security logs: kept at least ${SECURITY_LOG_MIN_DAYS} days`],
    [{ id: 'audit-delete', target: 'audit_records', action: 'DELETE', clock: 'CREATION', after: '8w', reason: 'x' }, 'rules[0] (audit-delete).after: audit_records are security logs'],
    [{ id: 'fees', target: 'fee_estimates', action: 'AGGREGATE', clock: 'POSTING', after: '1y', reason: 'x' }, 'rules[0] (fees).action: fee_estimates supports ARCHIVE, DELETE, not AGGREGATE'],
    [{ id: 'orders-x', target: 'orders', action: 'ANONYMIZE', clock: 'POSTING', after: '1y', reason: 'x', fields: ['buyerName'] }, 'rules[0] (orders-x).clock: orders has the clocks DELIVERY, PURCHASE, not POSTING'],
    [{ id: 'orders-y', target: 'orders', action: 'DELETE', clock: 'PURCHASE', after: '2 years', reason: 'x' }, 'rules[0] (orders-y).after: a period like 30d, 8w, 24mo or 7y'],
  ])('refuses an invalid rule and names it: %#', (rule, message) => {
    expect(() => parseRetentionRules({ rules: [rule] }, 'retention.json')).toThrow(message);
  });

  it('reads RETENTION_FILE; a broken file names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-rules-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ rules: [{ id: 'returns-delete', target: 'order_returns', action: 'DELETE', clock: 'RETURN', after: '18mo', reason: 'Returns window' }] }));
    writeFileSync(join(dir, 'bad.json'), '{ "rules": [');
    expect(loadRetentionRules({ RETENTION_FILE: join(dir, 'ok.json') }).rules.find((r) => r.id === 'returns-delete')?.after).toBe('18mo');
    expect(() => loadRetentionRules({ RETENTION_FILE: join(dir, 'bad.json') })).toThrow(`RETENTION_FILE ${join(dir, 'bad.json')}`);
  });
});

describe('retention schedule', () => {
  it('parses the schedule and computes the next run', () => {
    expect(parseSchedule('daily')).toEqual({ kind: 'daily', hour: 0, minute: 0 });
    expect(nextRunAt(parseSchedule('daily@03:30'), new Date('2026-06-01T04:00:00Z'))).toEqual(new Date('2026-06-02T03:30:00Z'));
    expect(nextRunAt(parseSchedule('6h'), new Date('2026-06-01T04:00:00Z'))).toEqual(new Date('2026-06-01T10:00:00Z'));
    expect(nextRunAt(parseSchedule('off'), NOW)).toBeNull();
    expect(() => parseSchedule('every day')).toThrow('RETENTION_SCHEDULE');
    expect(() => parseSchedule('1m')).toThrow('at least 5m');
  });

  describe('on a database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
      await seedRetentionData(db.dataSource);
    });
    afterAll(async () => db.close());

    it('a tick applies the rules as the scheduler and flags overdue deletion requests', async () => {
      await db.dataSource.transaction((manager) =>
        requestDeletion(manager, { scope: { amazonOrderIds: [ORDERS.target] }, reason: 'Erasure', requester: 'Amazon', source: 'AMAZON' }, { actor: 'cli:test', now: new Date(NOW.getTime() - 4 * 86_400_000), scope: UNRESTRICTED_SCOPE }, { dueDays: 30, amazonDueHours: 72 }),
      );
      const config = loadConfig({ ...process.env, NODE_ENV: 'test', RETENTION_SCHEDULE: 'off', AUDIT_CHECKPOINT_KEY: AUDIT_KEY });
      const schedule = startRetentionSchedule(db.dataSource, { config, now: () => NOW });
      const report = await schedule.tick();
      await schedule.stop();
      expect(report).toMatchObject({ status: 'SUCCEEDED', dryRun: false });
      expect(await db.dataSource.query("SELECT trigger, actor FROM retention_run")).toEqual([{ trigger: 'schedule', actor: 'system:schedule' }]);
      const [event] = await db.dataSource.query("SELECT level, component, message FROM system_event WHERE component = 'retention'");
      expect(event).toMatchObject({ level: 'WARN', message: expect.stringMatching(/^1 deletion request\(s\) overdue: [0-9a-f-]{36}$/) });
    });
  });
});
