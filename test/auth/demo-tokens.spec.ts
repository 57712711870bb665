// The demo tokens `sellergate serve` prints and pre-fills in GraphiQL always work on the database in use.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { In } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { createDemoTokens, revokeToken } from '../../src/auth/api-token.service';
import { hashTokenSecret } from '../../src/auth/token-secret';
import { defaultPolicy } from '../../src/policy/default-policy';
import { ensureDemoTokens } from '../../src/server/components';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('demo tokens', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'sellergate-demo-tokens-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.close();
  });

  async function activeInDatabase(tokens: Record<string, string>): Promise<number> {
    const rows = await db.dataSource.getRepository(ApiToken).findBy({ tokenHash: In(Object.values(tokens).map(hashTokenSecret)) });
    return rows.filter((row) => !row.revokedAt).length;
  }

  it('replaces a file written for another database (the embedded one) by tokens this database knows', async () => {
    const file = join(dir, 'from-embedded.json');
    // Tokens of another database: well formed, unknown here.
    const other = Object.fromEntries(Object.keys(defaultPolicy().roles).map((role) => [role, `sg_${'x'.repeat(43)}${role.length}`]));
    writeFileSync(file, JSON.stringify(other));
    const tokens = await ensureDemoTokens(db.dataSource, file, defaultPolicy());
    expect(Object.keys(tokens).sort()).toEqual(Object.keys(defaultPolicy().roles).sort());
    expect(Object.values(tokens)).not.toContain(other.analyst);
    expect(await activeInDatabase(tokens)).toBe(Object.keys(tokens).length);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(tokens);
  });

  it('keeps the file when every token is active here (a restart prints the same tokens)', async () => {
    const file = join(dir, 'same.json');
    const first = await ensureDemoTokens(db.dataSource, file, defaultPolicy());
    expect(await ensureDemoTokens(db.dataSource, file, defaultPolicy())).toEqual(first);
  });

  it('replaces the tokens when one of them was revoked', async () => {
    const file = join(dir, 'revoked.json');
    const tokens = await createDemoTokens(db.dataSource, defaultPolicy());
    writeFileSync(file, JSON.stringify(tokens));
    const [analyst] = await db.dataSource.getRepository(ApiToken).findBy({ tokenHash: hashTokenSecret(tokens.analyst) });
    await revokeToken(db.dataSource.manager, analyst.id, UNRESTRICTED_SCOPE);
    const replaced = await ensureDemoTokens(db.dataSource, file, defaultPolicy());
    expect(replaced.analyst).not.toBe(tokens.analyst);
    expect(await activeInDatabase(replaced)).toBe(Object.keys(replaced).length);
  });
});
