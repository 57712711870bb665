// HTTP hardening: security headers, CORS allow-list, CSRF prevention, HTTPS with HSTS, and the
// production rule against plain HTTP on a public address.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { assertTransportAllowed } from '../../src/security/http-hardening';
import { createComponents, loadGatewayPolicy } from '../../src/server/components';
import { startGateway } from '../../src/server/gateway';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

describe('HTTP hardening', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    token = await testTokenFor(db.dataSource, 'analyst');
    gateway = await startTestGateway(db, { env: { CORS_ORIGINS: 'https://dashboard.example.test, https://bi.example.test' } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('sends security headers, with a CSP GraphiQL can live with and no HSTS over plain HTTP', async () => {
    const page = await gateway.get('/graphiql');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    expect(page.headers.get('x-powered-by')).toBeNull();
  });

  it('answers CORS only for listed origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-purpose' },
      });
    const allowed = await preflight('https://dashboard.example.test');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dashboard.example.test');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/X-Purpose/i);
    const other = await preflight('https://evil.example.test');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await gateway.post('{ __typename }', { token, headers: { origin: 'https://evil.example.test' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps CSRF prevention on: a simple cross-site GET is refused', async () => {
    const response = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('refuses plain HTTP on a public address in production unless TLS is configured or a TLS proxy is trusted', () => {
    const production = { NODE_ENV: 'production' as const, TLS_CERT: undefined, TLS_KEY: undefined, TRUST_PROXY: undefined };
    expect(() => assertTransportAllowed(production, '0.0.0.0')).toThrow(/Refusing to serve plain HTTP on 0\.0\.0\.0 in production.*TLS_CERT.*TRUST_PROXY/);
    expect(() => assertTransportAllowed(production, '127.0.0.1')).not.toThrow();
    expect(() => assertTransportAllowed({ ...production, TRUST_PROXY: 'loopback' }, '0.0.0.0')).not.toThrow();
    expect(() => assertTransportAllowed({ ...production, TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }, '0.0.0.0')).not.toThrow();
    expect(() => assertTransportAllowed({ ...production, NODE_ENV: 'development' }, '0.0.0.0')).not.toThrow();
  });

  it('refuses to start in production on a public address without TLS', async () => {
    const config = loadConfig({ ...process.env, NODE_ENV: 'production', PSEUDONYM_KEY: 'test-pseudonym-key-0123456789' });
    const components = await createComponents({ dataSource: db.dataSource, config, policy: loadGatewayPolicy(config) });
    try {
      await expect(startGateway({ dataSource: db.dataSource, config, policy: loadGatewayPolicy(config), components, port: 0, host: '0.0.0.0' })).rejects.toThrow(/plain HTTP/);
    } finally {
      await components.stop?.();
    }
  });

  it('serves HTTPS with HSTS when TLS_CERT and TLS_KEY are given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const secure = await startTestGateway(db, { env: { TLS_CERT: cert, TLS_KEY: key } });
    try {
      expect(secure.url).toMatch(/^https:\/\//);
      const response = await new Promise<{ status: number; hsts: string | undefined }>((resolve, reject) => {
        const req = httpsRequest(`${secure.url}/healthz`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] as string | undefined }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(response).toEqual({ status: 200, hsts: 'max-age=31536000; includeSubDomains' });
    } finally {
      await secure.stop();
    }
  });
});
