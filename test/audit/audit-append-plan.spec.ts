// The audit append reads the chain head through the primary key's index on a connection that has
// appended since the log was empty, however large the log grows: PL/pgSQL keeps the plan it made
// first for the life of the connection, and a sequential scan made every append, and with it every
// audited request, slower as the log grew. The plan is read with auto_explain (PostgreSQL server).
// Its statistics are taken when the log is young, as a new database's ANALYZE or autovacuum would.
import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { resetAudit } from './audit-fixtures';

const describeOnServer = process.env.DATABASE_URL ? describe : describe.skip;

describeOnServer('audit append on a growing log', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await resetAudit(db.dataSource);
  });
  afterAll(async () => db?.close());

  it('reads the head through the index on a connection that first appended to a young log', async () => {
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    const client = (runner as unknown as { databaseConnection: Client }).databaseConnection;
    const plans: string[] = [];
    const onNotice = (notice: { message?: string }) => {
      if (notice.message?.includes('FROM audit_record')) plans.push(notice.message);
    };
    client.on('notice', onNotice);
    try {
      await runner.query("LOAD 'auto_explain'");
      await runner.query('SET auto_explain.log_min_duration = 0');
      await runner.query('SET auto_explain.log_nested_statements = on');
      await runner.query('SET client_min_messages = log');
      const head = () => runner.query('SELECT appended FROM audit_append(NULL, NULL, $1::jsonb, NULL, NULL, NULL, NULL, NULL)', ['[]']);
      const grow = (from: number, to: number) =>
        runner.query(
          `INSERT INTO audit_record (id, "timestamp", request_id, outcome, duration_ms, prev_hash, hash)
           SELECT g, now(), 'grown-' || g, 'ok', 0, repeat('0', 64), repeat('0', 64) FROM generate_series($1::bigint, $2::bigint) g`,
          [from, to],
        );
      // A young log, its statistics taken (as after a new database's ANALYZE, or autovacuum's).
      await grow(1, 3);
      await runner.query('ANALYZE audit_record');
      // First append on this connection: its plan is made now.
      await head();
      // The log grows (written by others: rows inserted directly).
      await grow(4, 20000);
      plans.length = 0;
      await head();
      const lookup = plans.find((plan) => /ORDER BY r\.id DESC/.test(plan));
      expect(lookup).toBeDefined();
      expect(lookup).toMatch(/Index (Only )?Scan Backward using \S+ on audit_record/);
      expect(lookup).not.toMatch(/Seq Scan on audit_record/);
    } finally {
      client.off('notice', onNotice);
      await runner.release();
    }
  });
});
