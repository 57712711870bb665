// A database failure during authentication is the gateway's fault, not the credential's: HTTP 503
// UNAVAILABLE, recorded as an error (never 401 UNAUTHENTICATED, never a refused login in the audit
// log). Reproduced with the token table locked (the lookup hits its lock timeout) and with every
// connection of the server taken (the pool cannot connect). Needs a PostgreSQL server.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { In } from 'typeorm';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { connectAndMigrate } from '../../src/db/data-source';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { loadRequest } from './fault-load';

const server = process.env.DATABASE_URL;
const describeOnServer = server ? describe : describe.skip;

describeOnServer('authentication while the database fails', () => {
  let db: TestDatabase;
  let gatewayData: DataSource;
  let gateway: TestGateway;
  let token: string;
  /** A token no request has used yet: not in the gateway's token cache, so its lookup reads the table. */
  let uncachedToken: string;
  const role = `sg_fault_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    token = await testTokenFor(db.dataSource, 'analyst');
    uncachedToken = await testTokenFor(db.dataSource, 'analyst');
    // The gateway's own pool, with the session timeouts a server runs with (sellergate serve).
    // It connects as a role of its own (so the role's connection limit can stand for a full server).
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role}; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${role}`);
    await admin.end();
    const url = new URL(db.url);
    url.username = role;
    ({ dataSource: gatewayData } = await connectAndMigrate({ url: url.toString(), poolSize: 4, lockTimeoutMs: 500, statementTimeoutMs: 5_000, acquireTimeoutMs: 1_000 }));
    gateway = await startTestGateway({ ...db, dataSource: gatewayData }, { env: { DATABASE_URL: db.url, RATE_LIMIT_PER_MINUTE: '0', IP_RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await gatewayData?.destroy();
    await db?.close();
    const admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
    await admin.end();
  });

  it('answers 503 UNAVAILABLE, recorded as an error, while the token table is locked', async () => {
    expect((await loadRequest(gateway.url, token)).status).toBe(200);
    const locker = new Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE api_token IN ACCESS EXCLUSIVE MODE');
      // A token the gateway has not seen must be looked up: the locked table answers 503.
      const result = await loadRequest(gateway.url, uncachedToken, 20_000);
      expect({ status: result.status, code: result.code, hasData: result.hasData }).toEqual({ status: 503, code: 'UNAVAILABLE', hasData: false });
      await locker.query('ROLLBACK');
      const record = await db.dataSource.getRepository(AuditRecord).findOneByOrFail({ requestId: result.requestId });
      expect(record.outcome).toBe('error');
      expect(record.errorCodes).toEqual(['UNAVAILABLE']);
    } finally {
      await locker.end();
    }
    expect((await loadRequest(gateway.url, token)).status).toBe(200);
    expect((await loadRequest(gateway.url, uncachedToken)).status).toBe(200);
  });

  it('answers 503 UNAVAILABLE, never 401, while the server refuses new connections (too many connections)', async () => {
    // What a full max_connections does to the gateway's role, without taking the shared server's
    // slots: its connections are ended and its role may open none (53300 too many connections).
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(`ALTER ROLE ${role} CONNECTION LIMIT 0`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      const results = await Promise.all(Array.from({ length: 5 }, () => loadRequest(gateway.url, token, 20_000)));
      expect(results.map((result) => `${result.status} ${result.code}`)).toEqual(Array(5).fill('503 UNAVAILABLE'));
      // A process that cannot get a connection is not ready (and says so promptly).
      const ready = await gateway.get('/readyz');
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { status: string }).status).toBe('not ready');
      const records = await db.dataSource.getRepository(AuditRecord).findBy({ requestId: In(results.map((result) => result.requestId)) });
      // Recorded (the audit writer's own connections are refused too, then its records fail closed:
      // the requests were answered 503 either way); none of those written says "refused".
      for (const record of records) expect({ outcome: record.outcome, errorCodes: record.errorCodes }).toEqual({ outcome: 'error', errorCodes: ['UNAVAILABLE'] });
    } finally {
      await admin.query(`ALTER ROLE ${role} CONNECTION LIMIT -1`);
      await admin.end();
    }
    expect((await loadRequest(gateway.url, token)).status).toBe(200);
  });
});
