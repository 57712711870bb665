// Credential protection: Amazon API credentials stored encrypted (AES-256-GCM, keys from
// CREDENTIAL_KEYS), bound to their row, rotated to a new key, flagged when stale, and entered
// from the command line through standard input or a file, never through arguments.
import { UNRESTRICTED_SCOPE } from '../../src/auth/principal';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SellerAccount } from '../../entities/catalog/seller-account.entity';
import { AmazonCredential, AmazonCredentialKind } from '../../entities/gateway/amazon-credential.entity';
import { SystemEvent } from '../../entities/system-logs/system-event.entity';
import { UserAction } from '../../entities/system-logs/user-action.entity';
import { registerCredentialCommands, type CredentialInput } from '../../src/cli/credentials.command';
import { registerSecurityCommands } from '../../src/cli/security.command';
import { loadConfig } from '../../src/config';
import { parseCredentialKeys, resolveCredentialKeys } from '../../src/credential-keys';
import { checkCredentialHealth, CredentialVault, CredentialVaultError, createCredentialVault, reportCredentialHealth } from '../../src/security/credentials/vault';
import { runCli, testCliDeps } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const ACCOUNT = 'A1CREDTEST0001';
const OTHER = 'A2CREDTEST0002';
const key = () => randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const vaultWith = (keys: string, now?: () => Date) => createCredentialVault(loadConfig({ NODE_ENV: 'test', CREDENTIAL_KEYS: keys }), now);

/** Every row of every table as text (bytea as hex): where a leaked value would be found. */
async function wholeDatabase(db: TestDatabase): Promise<string> {
  const tables: { table_name: string }[] = await db.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  const parts: string[] = [];
  for (const { table_name: table } of tables) {
    const rows: { row: string }[] = await db.dataSource.query(`SELECT t::text AS row FROM "${table}" t`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

function expectNowhere(haystack: string, secret: string): void {
  expect(haystack).not.toContain(secret);
  expect(haystack).not.toContain(Buffer.from(secret).toString('hex'));
  expect(haystack).not.toContain(Buffer.from(secret).toString('base64'));
}

describe('credential vault', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.getRepository(SellerAccount).insert([
      { sellerId: ACCOUNT, name: 'Credential test' },
      { sellerId: OTHER, name: 'Other account' },
    ]);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM amazon_credential');
  });

  const store = (vault: CredentialVault, kind: AmazonCredentialKind, secret: string, options: { account?: string; label?: string } = {}) =>
    db.dataSource.transaction((manager) => vault.set(manager, { sellerAccountId: options.account ?? ACCOUNT, kind, label: options.label, secret, actor: 'test' }));
  const reveal = (vault: CredentialVault, id: string) => db.dataSource.transaction((manager) => vault.reveal(manager, id, { actor: 'system:test' }));

  it('stores only ciphertext (the plaintext is in no table) and decrypts it back', async () => {
    const vault = vaultWith(`k1:${K1}`);
    const secret = `Atzr|IwEBI${randomBytes(24).toString('hex')}`;
    const { credential } = await store(vault, AmazonCredentialKind.REFRESH_TOKEN, `${secret}\n`);
    expect(credential).toMatchObject({ sellerAccountId: ACCOUNT, kind: 'REFRESH_TOKEN', label: 'default', keyId: 'k1', ageDays: 0, stale: false });
    expect(credential).not.toHaveProperty('ciphertext');

    const [row]: { ciphertext: Buffer; iv: Buffer; auth_tag: Buffer; text: string }[] = await db.dataSource.query(
      'SELECT ciphertext, iv, auth_tag, t::text AS text FROM amazon_credential t WHERE id = $1',
      [credential.id],
    );
    expect(row.iv).toHaveLength(12);
    expect(row.auth_tag).toHaveLength(16);
    expect(row.ciphertext.includes(Buffer.from(secret))).toBe(false);
    expectNowhere(row.text, secret);
    expectNowhere(await wholeDatabase(db), secret);

    expect(await reveal(vault, credential.id)).toBe(secret);
    const used = await db.dataSource.getRepository(AmazonCredential).findOneByOrFail({ id: credential.id });
    expect(used.lastUsedAt).toBeInstanceOf(Date);
    // The same value twice gives different ciphertexts (a fresh IV each time).
    const again = await store(vault, AmazonCredentialKind.REFRESH_TOKEN, secret, { label: 'second' });
    const other = await db.dataSource.getRepository(AmazonCredential).findOneByOrFail({ id: again.credential.id });
    expect(other.ciphertext.equals(used.ciphertext)).toBe(false);
    expect(other.iv.equals(used.iv)).toBe(false);
  });

  it('fails closed: wrong key, unknown key, altered ciphertext or tag, a ciphertext moved to another row', async () => {
    const vault = vaultWith(`k1:${K1}`);
    const a = (await store(vault, AmazonCredentialKind.LWA_CLIENT_SECRET, 'amzn1.oa2-cs.v1.secret-a')).credential;
    const b = (await store(vault, AmazonCredentialKind.LWA_CLIENT_SECRET, 'amzn1.oa2-cs.v1.secret-b', { account: OTHER })).credential;
    const repository = db.dataSource.getRepository(AmazonCredential);

    const failure = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(CredentialVaultError);
      return error as CredentialVaultError;
    };
    // Same key id, other key material.
    const wrong = await failure(reveal(vaultWith(`k1:${K2}`), a.id));
    expect(wrong.reason).toBe('DECRYPT_FAILED');
    expect(wrong.message).toContain(`Credential ${a.id} failed authentication under key "k1"`);
    // The key is not configured at all.
    const unknown = await failure(reveal(vaultWith(`k2:${K2}`), a.id));
    expect(unknown.reason).toBe('UNKNOWN_KEY');
    expect(unknown.message).toMatch(/key "k1", which CREDENTIAL_KEYS does not hold/);

    const original = await repository.findOneByOrFail({ id: a.id });
    const flipped = Buffer.from(original.ciphertext);
    flipped[0] ^= 0x01;
    await repository.update({ id: a.id }, { ciphertext: flipped });
    expect((await failure(reveal(vault, a.id))).reason).toBe('DECRYPT_FAILED');
    await repository.update({ id: a.id }, { ciphertext: original.ciphertext, authTag: Buffer.alloc(16) });
    expect((await failure(reveal(vault, a.id))).reason).toBe('DECRYPT_FAILED');
    await repository.update({ id: a.id }, { authTag: original.authTag });
    expect(await reveal(vault, a.id)).toBe('amzn1.oa2-cs.v1.secret-a');

    // B's encrypted value copied into A's row: bound to B's id and account, it does not decrypt as A.
    const fromB = await repository.findOneByOrFail({ id: b.id });
    await repository.update({ id: a.id }, { ciphertext: fromB.ciphertext, iv: fromB.iv, authTag: fromB.authTag });
    expect((await failure(reveal(vault, a.id))).reason).toBe('DECRYPT_FAILED');
    // Nor does a row whose kind was changed.
    await repository.update({ id: b.id }, { kind: AmazonCredentialKind.REFRESH_TOKEN });
    expect((await failure(reveal(vault, b.id))).reason).toBe('DECRYPT_FAILED');
  });

  it('re-encrypts under the new key in batches, resumably; the old key can then leave the configuration', async () => {
    const old = vaultWith(`k1:${K1}`);
    const secrets = new Map<string, string>();
    for (let i = 0; i < 5; i += 1) {
      const value = `profile-${i}-${randomBytes(8).toString('hex')}`;
      const { credential } = await store(old, AmazonCredentialKind.ADS_PROFILE_ID, value, { label: `marketplace-${i}` });
      secrets.set(credential.id, value);
    }
    const rotating = vaultWith(`k2:${K2},k1:${K1}`);
    // Interrupted after the first batch of 2 (committed), then run again: it finishes the rest.
    const progress: string[] = [];
    await expect(
      rotating.rotate(db.dataSource, {
        actor: 'test',
        batchSize: 2,
        onProgress: (done, total) => {
          progress.push(`${done}/${total}`);
          if (done === 2) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(progress).toEqual(['0/5', '2/5']);
    expect(await db.dataSource.getRepository(AmazonCredential).countBy({ keyId: 'k2' })).toBe(2);

    const resumed = await rotating.rotate(db.dataSource, { actor: 'test', batchSize: 2 });
    expect(resumed).toEqual({ currentKeyId: 'k2', reencrypted: 3, alreadyCurrent: 2, failed: [] });
    const again = await rotating.rotate(db.dataSource, { actor: 'test', batchSize: 2 });
    expect(again).toEqual({ currentKeyId: 'k2', reencrypted: 0, alreadyCurrent: 5, failed: [] });

    // k1 removed from the configuration: everything still decrypts.
    const rotated = vaultWith(`k2:${K2}`);
    for (const [id, value] of secrets) expect(await reveal(rotated, id)).toBe(value);
    expect((await rotated.list(db.dataSource.manager, {}, UNRESTRICTED_SCOPE)).map((c) => c.keyId)).toEqual(['k2', 'k2', 'k2', 'k2', 'k2']);
    const actions = await db.dataSource.getRepository(UserAction).findBy({ action: 'credential.rotate-key' });
    expect(actions.map((a) => a.target)).toContain('key k2: 0 re-encrypted, 5 already current, 0 failed');

    // A credential under a key nobody holds any more is reported, left as it was, and the rest rotate.
    await db.dataSource.getRepository(AmazonCredential).update({ id: [...secrets.keys()][0] }, { keyId: 'lost' });
    const partial = await vaultWith(`k3:${key()},k2:${K2}`).rotate(db.dataSource, { actor: 'test' });
    expect(partial).toMatchObject({ currentKeyId: 'k3', reencrypted: 4, alreadyCurrent: 0, failed: [{ id: [...secrets.keys()][0], keyId: 'lost' }] });
  });

  it('replacing a value restarts its age; stale after CREDENTIAL_MAX_AGE_DAYS (181 days yes, 179 no)', async () => {
    const setAt = new Date('2026-01-01T00:00:00Z');
    let now = setAt;
    const vault = new CredentialVault(resolveCredentialKeys({ NODE_ENV: 'test', CREDENTIAL_KEYS: `k1:${K1}` }), { maxAgeDays: 180, now: () => now });
    const { credential } = await store(vault, AmazonCredentialKind.REFRESH_TOKEN, 'Atzr|first');
    now = new Date(setAt.getTime() + 179 * DAY);
    expect((await vault.list(db.dataSource.manager, {}, UNRESTRICTED_SCOPE))[0]).toMatchObject({ id: credential.id, ageDays: 179, stale: false });
    expect(await vault.list(db.dataSource.manager, { staleOnly: true }, UNRESTRICTED_SCOPE)).toEqual([]);
    now = new Date(setAt.getTime() + 181 * DAY);
    expect((await vault.list(db.dataSource.manager, {}, UNRESTRICTED_SCOPE))[0]).toMatchObject({ id: credential.id, ageDays: 181, stale: true });

    // At start-up: one SYSTEM_LOGS warning naming it (no value).
    const health = await db.dataSource.transaction((manager) => checkCredentialHealth(manager, vault, resolveCredentialKeys({ NODE_ENV: 'test', CREDENTIAL_KEYS: `k1:${K1}` })));
    expect(health.stale.map((c) => c.id)).toEqual([credential.id]);
    const warning = await db.dataSource.getRepository(SystemEvent).findOneOrFail({ where: { component: 'credentials', level: 'WARN' }, order: { id: 'DESC' } });
    expect(warning.message).toContain(`1 Amazon credential(s) older than 180 days, replace them: ${credential.id} (${ACCOUNT} REFRESH_TOKEN default, 181 days)`);

    // Set again (same account, kind, label): same credential, new value, age from now.
    const replaced = await store(vault, AmazonCredentialKind.REFRESH_TOKEN, 'Atzr|second');
    expect(replaced).toMatchObject({ replaced: true, credential: { id: credential.id, ageDays: 0, stale: false } });
    expect(replaced.credential.createdAt).toEqual(setAt);
    expect(await reveal(vault, credential.id)).toBe('Atzr|second');
    expect((await db.dataSource.getRepository(UserAction).findBy({ target: credential.id })).map((a) => a.action).sort()).toEqual([
      'credential.replace',
      'credential.reveal',
      'credential.set',
    ]);
  });

  it('checks CREDENTIAL_KEYS at start-up without printing a key; production without keys stores nothing', async () => {
    const invalid = (value: string) => {
      try {
        loadConfig({ NODE_ENV: 'test', CREDENTIAL_KEYS: value });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    const short = randomBytes(16).toString('base64');
    expect(invalid(`k1:${short}`)).toBe('Invalid configuration: CREDENTIAL_KEYS: entry 1 of CREDENTIAL_KEYS decodes to 16 bytes; AES-256 needs exactly 32 (`openssl rand -base64 32`)');
    expect(invalid(`k1:${short}`)).not.toContain(short);
    expect(invalid(`k1:${K1},k1:${K2}`)).toContain('entries 1 and 2 of CREDENTIAL_KEYS have the same key id');
    expect(invalid(K1)).toContain('entry 1 of CREDENTIAL_KEYS has no key id');
    expect(invalid(K1)).not.toContain(K1);
    expect(invalid(`k1:${K1},k2:not base64!`)).toContain('entry 2 of CREDENTIAL_KEYS is not valid base64 after its key id');
    expect(invalid(`k1:${K1},k2:not base64!`)).not.toContain(K1);
    // An entry the wrong way round, with a key (base64url, unpadded) where the id belongs.
    let reversed = randomBytes(32).toString('base64url');
    while (!/^[A-Za-z0-9]/.test(reversed)) reversed = randomBytes(32).toString('base64url');
    expect(invalid(`${reversed}:main`)).toContain('entry 1 of CREDENTIAL_KEYS decodes to 3 bytes');
    expect(invalid(`${reversed}:main`)).not.toContain(reversed);
    expect(invalid(`${reversed}:main,${reversed}:main`)).not.toContain(reversed);
    expect(parseCredentialKeys(` k2:${K2} , k1:${K1} `)).toMatchObject({ currentKeyId: 'k2', demo: false });

    // Development and test: a demo key (the values it protects are not secret).
    expect(resolveCredentialKeys({ NODE_ENV: 'development', CREDENTIAL_KEYS: undefined })).toMatchObject({ currentKeyId: 'demo', demo: true });
    // ... but not into a database holding credentials under real keys (a command run without the gateway's environment).
    const demo = createCredentialVault({ NODE_ENV: 'development', CREDENTIAL_KEYS: undefined, CREDENTIAL_MAX_AGE_DAYS: 180 });
    const demoStored = await store(demo, AmazonCredentialKind.LWA_CLIENT_ID, 'amzn1.application-oa2-client.demo');
    expect(demoStored.credential.keyId).toBe('demo');
    await store(vaultWith(`k1:${K1}`), AmazonCredentialKind.LWA_CLIENT_SECRET, 'amzn1.oa2-cs.v1.real');
    const leaked = `Atzr|IwEBI${randomBytes(24).toString('hex')}`;
    await expect(store(demo, AmazonCredentialKind.REFRESH_TOKEN, leaked)).rejects.toThrow(/^Not stored: CREDENTIAL_KEYS is not set, and this database holds credentials encrypted under CREDENTIAL_KEYS keys/);
    expectNowhere(await wholeDatabase(db), leaked);
    await db.dataSource.query('DELETE FROM amazon_credential');
    // Production: no key, no storing; listing and start-up still work.
    const production = createCredentialVault({ NODE_ENV: 'production', CREDENTIAL_KEYS: undefined, CREDENTIAL_MAX_AGE_DAYS: 180 });
    await expect(store(production, AmazonCredentialKind.LWA_CLIENT_ID, 'amzn1.application-oa2-client.x')).rejects.toThrow(
      'Cannot store Amazon credentials: CREDENTIAL_KEYS is not set (required in production; generate a key with `openssl rand -base64 32`)',
    );
    expect(await production.list(db.dataSource.manager, {}, UNRESTRICTED_SCOPE)).toEqual([]);
    const warnings: string[] = [];
    const health = await reportCredentialHealth(db.dataSource, { NODE_ENV: 'production', CREDENTIAL_KEYS: undefined, CREDENTIAL_MAX_AGE_DAYS: 180 }, { warn: (_d, m) => warnings.push(m), error: (_d, m) => warnings.push(m) });
    expect(health).toMatchObject({ total: 0 });
    expect(warnings).toEqual(['CREDENTIAL_KEYS is not set: Amazon credentials can be neither stored nor used (generate a key with `openssl rand -base64 32`)']);
  });

  describe('command line', () => {
    const input = (value: string): CredentialInput => ({ readValue: async () => value });
    const cli = (stdin: string, ...args: string[]) =>
      runCli(testCliDeps(db, { CREDENTIAL_KEYS: `k2:${K2},k1:${K1}` }), [(program, deps) => registerCredentialCommands(program, deps, input(stdin))], args);

    it('reads the value from standard input or a file, never from the arguments', async () => {
      const secret = `amzn1.oa2-cs.v1.${randomBytes(16).toString('hex')}`;
      const stored = JSON.parse(await cli(`${secret}\n`, 'credentials', 'add', '--account', ACCOUNT, '--kind', 'lwa_client_secret', '--json'));
      expect(stored).toMatchObject({ sellerAccountId: ACCOUNT, kind: 'LWA_CLIENT_SECRET', keyId: 'k2', replaced: false, stale: false });
      expect(await reveal(vaultWith(`k2:${K2}`), stored.id)).toBe(secret);

      // A value on the command line is refused before anything is stored.
      await expect(cli('', 'credentials', 'set', '--account', ACCOUNT, '--kind', 'REFRESH_TOKEN', 'Atzr|on-the-command-line')).rejects.toThrow(/too many arguments/);
      await expect(cli('', 'credentials', 'set', '--account', ACCOUNT, '--kind', 'REFRESH_TOKEN', '--value', 'Atzr|x')).rejects.toThrow(/unknown option/);
      await expect(cli('', 'credentials', 'set', '--account', ACCOUNT, '--kind', 'REFRESH_TOKEN')).rejects.toThrow('The credential value is empty');
      await expect(cli('x', 'credentials', 'set', '--account', 'A9UNKNOWN', '--kind', 'REFRESH_TOKEN')).rejects.toThrow('Unknown seller account "A9UNKNOWN"');
      await expect(cli('x', 'credentials', 'set', '--account', ACCOUNT, '--kind', 'PASSWORD')).rejects.toThrow(/LWA_CLIENT_ID, LWA_CLIENT_SECRET, REFRESH_TOKEN, ADS_PROFILE_ID/);
      expect(await db.dataSource.getRepository(AmazonCredential).count()).toBe(1);

      const file = join(mkdtempSync(join(tmpdir(), 'sg-credential-')), 'refresh-token');
      writeFileSync(file, 'Atzr|from-a-file\n', { mode: 0o600 });
      const text = await cli('ignored', 'credentials', 'set', '--account', ACCOUNT, '--kind', 'REFRESH_TOKEN', '--label', 'sp-api', '--from-file', file);
      expect(text).toMatch(new RegExp(`^stored REFRESH_TOKEN sp-api for ${ACCOUNT} as [0-9a-f-]{36} \\(key k2\\)\\n$`));
      const id = /as ([0-9a-f-]{36})/.exec(text)![1];
      expect(await reveal(vaultWith(`k2:${K2}`), id)).toBe('Atzr|from-a-file');
      expect(await cli('Atzr|replaced', 'credentials', 'set', '--account', ACCOUNT, '--kind', 'REFRESH_TOKEN', '--label', 'sp-api')).toContain(`replaced the value of REFRESH_TOKEN sp-api for ${ACCOUNT} as ${id}`);

      // list: metadata only.
      const listed = await cli('', 'credentials', 'list');
      expect(listed).toContain(`${stored.id}  ${ACCOUNT}`);
      expect(listed).toMatch(/key k2 .* 0 days/);
      expectNowhere(listed, secret);
      const json = JSON.parse(await cli('', 'credentials', 'list', '--json')) as Record<string, unknown>[];
      expect(Object.keys(json[0]).sort()).toEqual(['ageDays', 'createdAt', 'createdBy', 'id', 'keyId', 'kind', 'label', 'lastUsedAt', 'secretChangedAt', 'sellerAccountId', 'stale']);
      expectNowhere(JSON.stringify(json), secret);
      expectNowhere(await wholeDatabase(db), secret);

      // Every change is an administrative action, without the value.
      const actions = await db.dataSource.getRepository(UserAction).find({ where: { target: stored.id }, order: { id: 'ASC' } });
      expect(actions).toEqual([
        expect.objectContaining({ action: 'credential.set', actor: expect.stringMatching(/^cli/) }),
        expect.objectContaining({ action: 'credential.reveal', actor: 'system:test' }),
      ]);

      // rotate-key under a new first key, then remove.
      const rotated = JSON.parse(
        await runCli(testCliDeps(db, { CREDENTIAL_KEYS: `k3:${key()},k2:${K2}` }), [(program, deps) => registerCredentialCommands(program, deps, input(''))], ['credentials', 'rotate-key', '--json']),
      );
      expect(rotated).toEqual({ currentKeyId: 'k3', reencrypted: 2, alreadyCurrent: 0, failed: [] });
      expect(await cli('', 'credentials', 'remove', stored.id)).toContain(`removed LWA_CLIENT_SECRET default of ${ACCOUNT} (${stored.id})`);
      await expect(cli('', 'credentials', 'remove', stored.id)).rejects.toThrow(`No credential ${stored.id}`);
      expect(await db.dataSource.getRepository(UserAction).countBy({ target: stored.id, action: 'credential.remove' })).toBe(1);
    });

    it('names stale credentials in the access review (JSON, and beside the CSV)', async () => {
      const credential = JSON.parse(await cli('Atzr|old', 'credentials', 'set', '--account', OTHER, '--kind', 'REFRESH_TOKEN', '--json')) as { id: string };
      await db.dataSource.getRepository(AmazonCredential).update({ id: credential.id }, { secretChangedAt: new Date(Date.now() - 200 * DAY) });
      const review = (...args: string[]) => runCli(testCliDeps(db), [registerSecurityCommands], ['access-review', ...args]);
      const json = JSON.parse(await review('--format', 'json'));
      expect(json).toMatchObject({ credentialMaxAgeDays: 180, staleCredentials: [{ id: credential.id, kind: 'REFRESH_TOKEN', ageDays: 200, stale: true }] });
      let printed = '';
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed += String(chunk);
        return true;
      });
      try {
        await review('--format', 'csv');
      } finally {
        spy.mockRestore();
      }
      expect(printed).toBe(`stale Amazon credential ${credential.id} (${OTHER} REFRESH_TOKEN default): 200 days old, limit 180\n`);
    });
  });
});
