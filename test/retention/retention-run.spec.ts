import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { RetentionRun } from '../../entities/gateway/retention-run.entity';
import { verifyChain } from '../../src/audit/audit-verify';
import { placeLegalHold } from '../../src/retention/legal-hold.service';
import { RetentionCrash, runRetention } from '../../src/retention/retention-runner';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ACCOUNT, AUDIT_KEY, NOW, ORDERS, daysAgo, rowCounts, seedRetentionData } from './retention-fixture';
import { dataSnapshot, runOptions } from './retention-support';

describe('retention run (default rules, injected clock)', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
    await seedRetentionData(db.dataSource);
  });
  afterEach(async () => db.close());

  const query = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);

  it('applies each action: what should go goes, what should stay stays', async () => {
    const report = await runRetention(db.dataSource, runOptions());
    expect(report.status).toBe('SUCCEEDED');
    const byRule = Object.fromEntries(report.rules.map((rule) => [rule.ruleId, rule]));

    // ANONYMIZE: postal codes and return comments cleared 30 days after delivery, not before.
    const postal = await query('SELECT amazon_order_id AS id, ship_postal_code AS postal FROM amazon_order ORDER BY amazon_order_id');
    expect(postal).toEqual(
      expect.arrayContaining([
        { id: ORDERS.recentDelivered, postal: '98101' },
        { id: ORDERS.oldDelivered, postal: null },
        { id: ORDERS.target, postal: '98101' },
      ]),
    );
    const comments = await query('SELECT return_key AS key, customer_comments AS comment FROM order_return ORDER BY return_key');
    expect(comments).toEqual([
      { key: 'R1', comment: null },
      { key: 'R2', comment: 'Arrived broken' },
      { key: 'R4', comment: 'Arrived broken' },
    ]);
    // The orders bought 30 months ago were delivered long ago too: cleared before aggregation.
    expect(byRule['orders-personal-data'].affected).toBe(3);

    // AGGREGATE: the orders bought more than 24 months ago are gone with their detail.
    const orders = (await query('SELECT amazon_order_id AS id FROM amazon_order ORDER BY 1')).map((row: { id: string }) => row.id);
    expect(orders).toEqual([ORDERS.recentDelivered, ORDERS.oldDelivered, ORDERS.target, ORDERS.neighbour].sort());
    expect(await query('SELECT count(*)::int AS n FROM shipment WHERE amazon_order_id = ANY($1)', [[ORDERS.ancient, ORDERS.ancientCanceled, ORDERS.ancientOther]])).toEqual([{ n: 0 }]);
    expect(byRule['orders-aggregate'].counts).toMatchObject({ amazon_order: 3, order_item: 4, shipment: 3, order_return: 1 });
    const summary = await query("SELECT seller_account_id AS account, orders, units, sales FROM order_sales_summary WHERE kind = 'DAY' ORDER BY 1");
    expect(summary).toEqual([
      { account: ACCOUNT, orders: 1, units: 4, sales: '75.50' },
      { account: 'A2RETENTION002', orders: 1, units: 5, sales: '99.95' },
    ]);

    // ARCHIVE after 3 years, DELETE after 7: live, archived, gone.
    expect((await query('SELECT settlement_id AS id FROM settlement')).map((r: { id: string }) => r.id)).toEqual(['S-RECENT']);
    const archived = await query("SELECT source_table AS t, natural_key AS k, jsonb_array_length(payload->'lines') AS lines FROM retention_archive WHERE source_table <> 'audit_record' ORDER BY 1, 2");
    expect(archived).toEqual([
      { t: 'fee_estimate', k: 'SKU-A', lines: null },
      { t: 'refund', k: '111-9999999-0000001', lines: null },
      { t: 'settlement', k: 'S-4Y', lines: 2 },
    ]);
    expect((await query('SELECT order_id AS id FROM refund ORDER BY 1')).map((r: { id: string }) => r.id)).toEqual([ORDERS.target, ORDERS.neighbour].sort());
    expect(await query('SELECT count(*)::int AS n FROM fee_estimate')).toEqual([{ n: 1 }]);
    expect(await query('SELECT count(*)::int AS n FROM settlement_line')).toEqual([{ n: 3 }]);

    // API call logs: 400 days.
    expect((await query('SELECT request_id AS id FROM api_call_log ORDER BY 1')).map((r: { id: string }) => r.id)).toEqual(['call-kept', 'call-new']);

    // Audit: records older than a year archived then removed through src/audit's path (with a
    // signed checkpoint); the 8-year-old ones are gone from the archive too; the chain verifies.
    expect(await query('SELECT count(*)::int AS n FROM audit_record')).toEqual([{ n: 2 }]);
    expect(await query("SELECT count(*)::int AS n FROM retention_archive WHERE source_table = 'audit_record'")).toEqual([{ n: 4 }]);
    expect(await query("SELECT kind, removed_from_id::text AS f, removed_to_id::text AS t FROM audit_checkpoint WHERE kind = 'retention'")).toEqual([{ kind: 'retention', f: '1', t: '7' }]);
    expect((await verifyChain(db.dataSource.manager, { key: AUDIT_KEY })).ok).toBe(true);

    // Evidence: one run, every rule with its cutoff and counts, and a user action.
    const run = await db.dataSource.getRepository(RetentionRun).findOneByOrFail({ id: report.runId! });
    expect(run).toMatchObject({ status: 'SUCCEEDED', rulesVersion: expect.stringMatching(/^default-1\+[0-9a-f]{12}$/), finishedAt: NOW });
    expect(await query("SELECT action, target FROM user_action WHERE action LIKE 'retention.%'")).toEqual([{ action: 'retention.run', target: report.runId }]);
    expect(await query('SELECT count(*)::int AS n FROM retention_batch WHERE run_id = $1', [report.runId])).toEqual([{ n: report.rules.reduce((sum, rule) => sum + rule.batches, 0) }]);
  });

  it('--dry-run reports the same work and changes nothing (row counts and audit chain)', async () => {
    const before = await rowCounts(db.dataSource);
    const chainBefore = await verifyChain(db.dataSource.manager, {});
    const preview = await runRetention(db.dataSource, runOptions({ dryRun: true }));
    expect(preview.runId).toBeNull();
    expect(await rowCounts(db.dataSource)).toEqual(before);
    const chainAfter = await verifyChain(db.dataSource.manager, {});
    expect({ last: chainAfter.lastId, hash: chainAfter.lastHash }).toEqual({ last: chainBefore.lastId, hash: chainBefore.lastHash });

    const real = await runRetention(db.dataSource, runOptions());
    const previewed = Object.fromEntries(preview.rules.map((rule) => [rule.ruleId, rule.affected]));
    const done = Object.fromEntries(real.rules.map((rule) => [rule.ruleId, rule.affected]));
    // Rules on the same rows overlap (archive then delete): compare the rules a preview sees alone.
    for (const id of ['orders-personal-data', 'returns-personal-data', 'orders-aggregate', 'api-call-logs-delete', 'settlements-archive', 'audit-archive']) {
      expect({ id, n: previewed[id] }).toEqual({ id, n: done[id] });
    }
  });

  it('a legal hold keeps held records from every rule', async () => {
    await db.dataSource.transaction((manager) =>
      placeLegalHold(manager, { reason: 'Dispute 42', amazonOrderIds: [ORDERS.ancient, ORDERS.oldDelivered] }, { actor: 'cli:test', now: NOW, scope: UNRESTRICTED_SCOPE }),
    );
    await db.dataSource.transaction((manager) =>
      placeLegalHold(manager, { reason: 'Tax audit', sellerAccountId: ACCOUNT, fromDate: daysAgo(5 * 365), toDate: daysAgo(3 * 365) }, { actor: 'cli:test', now: NOW, scope: UNRESTRICTED_SCOPE }),
    );
    const report = await runRetention(db.dataSource, runOptions());
    const byRule = Object.fromEntries(report.rules.map((rule) => [rule.ruleId, rule]));
    const orders = (await query('SELECT amazon_order_id AS id, ship_postal_code AS postal FROM amazon_order WHERE amazon_order_id = ANY($1) ORDER BY 1', [[ORDERS.ancient, ORDERS.oldDelivered, ORDERS.ancientOther]]));
    expect(orders).toEqual([
      { id: ORDERS.oldDelivered, postal: '98101' },
      { id: ORDERS.ancient, postal: '98101' },
    ].sort((a, b) => a.id.localeCompare(b.id)));
    expect(byRule['orders-aggregate']).toMatchObject({ affected: 2, held: 1 });
    expect(byRule['orders-personal-data']).toMatchObject({ held: 2 });
    // The 4-year-old settlement, refund and fee estimate fall in the held date range: not archived.
    expect((await query('SELECT settlement_id AS id FROM settlement ORDER BY 1')).map((r: { id: string }) => r.id)).toEqual(['S-4Y', 'S-RECENT']);
    // The 8-year-old one is outside the held range: archived (then deleted), the held one stays.
    expect(byRule['settlements-archive']).toMatchObject({ affected: 1, held: 1 });
    expect(await query("SELECT count(*)::int AS n FROM refund WHERE order_id = '111-9999999-0000001'")).toEqual([{ n: 1 }]);
  });

  it('a run killed half way and run again ends in the same state as an uninterrupted run', async () => {
    await runRetention(db.dataSource, runOptions());
    const uninterrupted = await dataSnapshot(db.dataSource);

    await db.close();
    db = await createTestDatabase();
    await seedRetentionData(db.dataSource);
    let batches = 0;
    await expect(
      runRetention(db.dataSource, runOptions({
        afterBatch: () => {
          batches += 1;
          if (batches === 4) throw new RetentionCrash();
        },
      })),
    ).rejects.toThrow(RetentionCrash);
    const crashed = await db.dataSource.getRepository(RetentionRun).findOneByOrFail({ status: 'RUNNING' });

    // While its heartbeat is fresh another run is refused; once stale, the next run resumes it.
    await expect(runRetention(db.dataSource, runOptions())).rejects.toThrow(/is in progress/);
    const later = new Date(NOW.getTime() + 20 * 60_000);
    const resumed = await runRetention(db.dataSource, runOptions({ now: () => later }));
    expect(resumed).toMatchObject({ runId: crashed.id, resumed: true, status: 'SUCCEEDED' });
    expect(await dataSnapshot(db.dataSource)).toEqual(uninterrupted);
    // Every batch was done once: progress records are unique per (run, rule, batch).
    const perRule: { rule_id: string; n: number; b: number }[] = await db.dataSource.query(
      'SELECT b.rule_id, count(*)::int AS n, max(r.batches)::int AS b FROM retention_batch b JOIN retention_run_rule r ON r.run_id = b.run_id AND r.rule_id = b.rule_id GROUP BY b.rule_id',
    );
    for (const row of perRule) expect(row.n).toBe(row.b);
  });
});
