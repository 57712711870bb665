// POST /imports when its audit record cannot be written: the import's rows are committed as it
// streams (and are upserts, which cannot be taken back), so the run is marked FAILED "NOT
// RECORDED" and the answer is a JSON 503 naming the run; the run never looks successful.
// With the audit log back, the same file imports again as a recorded run (rows unchanged).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { registerAccount } from '../../src/ingest/seller-accounts';
import { NOT_RECORDED_ERROR } from '../../src/server/imports.route';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { withAuditWritesRefused } from '../support/refusals';

const LISTINGS = join(__dirname, '..', 'fixtures', 'amazon', 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', 'mws-rs_report.tdff.tsv');

describe('POST /imports when its audit record cannot be written', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await registerAccount(db.dataSource, { sellerId: 'A1IMPORTAUDIT1', marketplaces: ['ATVPDKIKX0DER'], name: 'Import audit test' });
    admin = await testTokenFor(db.dataSource, 'admin');
    gateway = await startTestGateway(db);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const upload = (requestId: string) =>
    fetch(`${gateway.url}/imports?account=A1IMPORTAUDIT1&marketplace=ATVPDKIKX0DER&fileName=listings.tsv`, {
      method: 'POST',
      headers: { 'content-type': 'text/tab-separated-values', authorization: `Bearer ${admin}`, 'x-request-id': requestId },
      body: readFileSync(LISTINGS),
    });
  const recordsOf = (requestId: string) => db.dataSource.getRepository(AuditRecord).find({ where: { requestId } });
  const actionsOf = async (requestId: string) => ((await db.dataSource.query('SELECT action FROM user_action WHERE request_id = $1', [requestId])) as { action: string }[]).map((row) => row.action);

  it('answers 503 JSON, marks the run FAILED as not recorded, and records nothing', async () => {
    const response = await withAuditWritesRefused(db.dataSource, () => upload('import-audit-refused'));
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('retry-after')).toBe('1');
    const body = (await response.json()) as { error: { code: string; message: string; importRunId: string; importRunStatus: string; rowsWritten: number } };
    expect(body.error).toMatchObject({ code: 'UNAVAILABLE', reason: 'AUDIT_WRITE_FAILED', importRunStatus: 'FAILED' });
    expect(body.error.message).toContain('could not be recorded');
    expect(body.error.rowsWritten).toBeGreaterThan(0);
    const [run] = await db.dataSource.query('SELECT status, error FROM import_run WHERE id = $1', [body.error.importRunId]);
    expect(run).toEqual({ status: 'FAILED', error: NOT_RECORDED_ERROR });
    expect(await db.dataSource.query("SELECT count(*)::int AS n FROM import_run WHERE status = 'SUCCEEDED'")).toEqual([{ n: 0 }]);
    expect(await recordsOf('import-audit-refused')).toHaveLength(0);
    expect(await actionsOf('import-audit-refused')).toEqual(['import.unrecorded']);
  });

  it('imports the same file again as a recorded, successful run once the audit log is back', async () => {
    const response = await upload('import-audit-ok');
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { status: string; importRunId: string; rowsInserted: number; rowsUpdated: number };
    expect(summary).toMatchObject({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 0 });
    const [run] = await db.dataSource.query('SELECT status, error FROM import_run WHERE id = $1', [summary.importRunId]);
    expect(run).toEqual({ status: 'SUCCEEDED', error: null });
    const records = await recordsOf('import-audit-ok');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operationName: 'POST /imports', outcome: 'ok' });
    expect(await actionsOf('import-audit-ok')).toEqual(['import.run']);
  });
});
