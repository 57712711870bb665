// The public Data Deletion page over HTTP: the request form files a RECEIVED request and answers
// with an unguessable reference; the status page answers for that reference only; bad input,
// injection, floods and guessed references are refused; every request leaves one audit record
// that holds nothing the requester typed.
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { DeletionRequest } from '../../entities/gateway/deletion-request.entity';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function post(gateway: TestGateway, path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}${path}`, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

const referenceOf = (page: string) => /id="reference-number">([^<]+)</.exec(page)?.[1] ?? null;

describe('Data Deletion page', () => {
  let db: TestDatabase;
  let gateway: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db, { env: { CONTACT_EMAIL: 'privacy@seller.example', PUBLIC_RATE_LIMIT_BURST: '40', PUBLIC_RATE_LIMIT_PER_HOUR: '1' } });
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('says what is kept (from the retention rules in force), the time limits and the contact, without login', async () => {
    const response = await gateway.get('/data-deletion');
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(page).toContain('Retention rules in force (version default-1+');
    expect(page).toContain('API call logs');
    expect(page).toContain('400 days after it was recorded');
    expect(page).toContain('<strong>30 days</strong>');
    expect(page).toContain('<strong>72 hours</strong>');
    expect(page).toContain('write to <a href="mailto:privacy@seller.example">privacy@seller.example</a>');
    // The page's own style sheet is not escaped (its font stack keeps its quotes).
    expect(page).toContain('"Segoe UI"');
    // Every field has a label.
    for (const id of ['name', 'email', 'account', 'orders', 'details', 'reference']) expect(page).toContain(`<label for="${id}"`);
  });

  it('files a RECEIVED request, answers with a reference, and shows its status for that reference', async () => {
    const response = await post(gateway, '/data-deletion', { name: 'Ada Buyer', email: 'ada@example.com', orders: '112-8095165-5463447', details: 'Please erase my order' });
    const page = await response.text();
    expect(response.status).toBe(201);
    const reference = referenceOf(page);
    expect(reference).toMatch(/^DR(-[A-Z2-7]{1,5}){6}$/);

    const stored = await db.dataSource.getRepository(DeletionRequest).find({ where: { source: 'PUBLIC_FORM' } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ state: 'RECEIVED', scopeOrderIds: ['112-8095165-5463447'], requester: 'Ada Buyer <ada@example.com>', reason: 'Please erase my order' });
    expect(stored[0].dueAt.getTime() - stored[0].receivedAt.getTime()).toBe(30 * 86_400_000);

    // Typed in lower case and without dashes, too.
    const status = await post(gateway, '/data-deletion/status', { reference: reference!.toLowerCase().replace(/-/g, ' ') });
    const statusPage = await status.text();
    expect(status.status).toBe(200);
    expect(statusPage).toContain('Received: awaiting verification by our compliance team.');
    // Nothing else: not the requester, the scope or the reason.
    for (const secret of ['Ada', 'ada@example.com', '112-8095165', 'erase', stored[0].id]) expect(statusPage).not.toContain(secret);

    // The audit records say what happened, never what was typed.
    const records = await db.dataSource.getRepository(AuditRecord).find({ where: { principalKind: 'public' } });
    const filed = records.find((record) => record.operationName === 'POST /data-deletion');
    expect(filed).toMatchObject({ outcome: 'ok', principalId: 'ip:127.0.0.1' });
    const serialized = JSON.stringify(records);
    for (const secret of ['Ada', 'ada@example.com', '112-8095165', 'erase', reference!]) expect(serialized).not.toContain(secret);
  });

  it('refuses oversized fields and bodies, and files nothing', async () => {
    const before = await db.dataSource.getRepository(DeletionRequest).count();
    const long = await post(gateway, '/data-deletion', { name: 'x'.repeat(91), email: 'a@example.com', account: 'A1B2C3D4E5' });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('Name: at most 90 characters');

    const huge = await post(gateway, '/data-deletion', { name: 'A', email: 'a@example.com', account: 'A1B2C3D4E5', details: 'y'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toContain('text/html');

    const noScope = await post(gateway, '/data-deletion', { name: 'A', email: 'a@example.com' });
    expect(noScope.status).toBe(400);
    expect(await noScope.text()).toContain('Name a seller account ID or Amazon order IDs');
    expect(await db.dataSource.getRepository(DeletionRequest).count()).toBe(before);
    const refused = await db.dataSource.getRepository(AuditRecord).find({ where: { operationName: 'POST /data-deletion', outcome: 'invalid' } });
    expect(refused.length).toBe(3);
  });

  it('escapes HTML and script typed into the form', async () => {
    const attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    const response = await post(gateway, '/data-deletion', { name: attack, email: 'not an address', details: attack });
    const page = await response.text();
    expect(response.status).toBe(400);
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script>alert(1)&lt;/script>');
  });

  it('gives one and the same answer to every reference that names no request', async () => {
    const answers = await Promise.all(
      ['DR-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A', 'nonsense', '', "' OR 1=1 --", 'x'.repeat(5000)].map(async (reference) => {
        const response = await post(gateway, '/data-deletion/status', { reference });
        return { status: response.status, body: await response.text() };
      }),
    );
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0].status).toBe(404);
  });

  it('answers a flood from one address with 429 and Retry-After, as a page', async () => {
    const flood = await startTestGateway(db, { env: { PUBLIC_RATE_LIMIT_BURST: '3', PUBLIC_RATE_LIMIT_PER_HOUR: '1' } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i += 1) {
        last = await post(flood, '/data-deletion/status', { reference: `DR-${i}` });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await last!.text()).toContain('Too many requests');
    } finally {
      await flood.stop();
    }
  });
});
