// The deletion form is fail-closed on its audit record: a request whose record cannot be written
// files nothing (no deletion_request row, no user action: rolled back on a PostgreSQL server,
// deleted again on the embedded database) and is answered with the 503 page, not JSON; a retry
// once the audit log is back files exactly one request, with exactly one record.
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { DeletionRequest } from '../../entities/gateway/deletion-request.entity';
import { UserAction } from '../../entities/system-logs/user-action.entity';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { withAuditWritesRefused } from '../support/refusals';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const FIELDS = { name: 'Grace Requester', email: 'grace@example.com', account: 'A1B2C3D4E5' };

describe('Data Deletion form when its audit record cannot be written', () => {
  let db: TestDatabase;
  let gateway: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db, { env: { PUBLIC_RATE_LIMIT_BURST: '40', PUBLIC_RATE_LIMIT_PER_HOUR: '1' } });
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  const post = (requestId: string) =>
    fetch(`${gateway.url}/data-deletion`, { method: 'POST', headers: { ...FORM, 'x-request-id': requestId }, body: new URLSearchParams(FIELDS).toString(), redirect: 'manual' });
  const filed = () => db.dataSource.getRepository(DeletionRequest).find({ where: { source: 'PUBLIC_FORM' } });
  const recordsOf = (requestId: string) => db.dataSource.getRepository(AuditRecord).find({ where: { requestId } });

  const withAuditRefused = <T>(work: () => Promise<T>) => withAuditWritesRefused(db.dataSource, work);

  it('files a request and writes exactly one record when the record can be written', async () => {
    const before = (await filed()).length;
    const response = await post('deletion-audit-ok');
    expect(response.status).toBe(201);
    expect(await response.text()).toContain('id="reference-number"');
    const rows = await filed();
    expect(rows).toHaveLength(before + 1);
    const records = await recordsOf('deletion-audit-ok');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operationName: 'POST /data-deletion', outcome: 'ok' });
    const created = rows.find((row) => JSON.stringify(records[0].variables).includes(row.id));
    expect(created).toMatchObject({ state: 'RECEIVED', requester: 'Grace Requester <grace@example.com>' });
    expect(await db.dataSource.getRepository(UserAction).countBy({ requestId: 'deletion-audit-ok', action: 'deletion.request' })).toBe(1);
  });

  it('files nothing and answers the HTML 503 page when the record cannot be written; a retry files one request', async () => {
    const before = await filed();
    const response = await withAuditRefused(() => post('deletion-audit-refused'));
    const page = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(page).toContain('Service unavailable');
    expect(page).toContain('could not be recorded in the audit log');
    expect(page).not.toContain('id="reference-number"');

    // Nothing kept: no request (nor the requester's name and address), no user action, no record.
    expect(await filed()).toHaveLength(before.length);
    expect(await db.dataSource.getRepository(DeletionRequest).countBy({ requester: 'Grace Requester <grace@example.com>' })).toBe(before.length);
    expect(await db.dataSource.getRepository(UserAction).countBy({ requestId: 'deletion-audit-refused' })).toBe(0);
    expect(await recordsOf('deletion-audit-refused')).toHaveLength(0);

    // The client retries once the audit log is back: one request, one record.
    const retry = await post('deletion-audit-retry');
    expect(retry.status).toBe(201);
    expect(await filed()).toHaveLength(before.length + 1);
    expect(await recordsOf('deletion-audit-retry')).toHaveLength(1);
  });
});
