// The credential vault: Amazon API credentials (LWA client id and secret, refresh tokens, Ads
// profile ids) stored encrypted with AES-256-GCM under the CREDENTIAL_KEYS key ring. Values go in
// through `set` and come out only through `reveal` (for the gateway's own Amazon API client, never
// over GraphQL); everything else sees metadata. Every change and every reveal is recorded as an
// administrative action, without the value.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { MoreThan, Not, type DataSource, type EntityManager } from 'typeorm';
import { AmazonCredential, AmazonCredentialKind } from '../../../entities/gateway/amazon-credential.entity';
import { SellerAccount } from '../../../entities/catalog/seller-account.entity';
import { recordSystemEvent, recordUserAction } from '../../audit/system-logs';
import { UNRESTRICTED_SCOPE, type RowScope } from '../../auth/principal';
import { scopedQuery } from '../../db/scoped';
import type { Config } from '../../config';
import { DEMO_CREDENTIAL_KEY_ID, resolveCredentialKeys, type KeyRing } from '../../credential-keys';

export { AmazonCredentialKind };
export const CREDENTIAL_KINDS = Object.values(AmazonCredentialKind);
const DAY_MS = 86_400_000;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longest accepted secret (characters): refresh tokens are well under 1,000. */
export const MAX_SECRET_LENGTH = 4_096;

/** A credential as anything but `reveal` sees it: no value, no ciphertext. */
export interface CredentialMetadata {
  id: string;
  sellerAccountId: string;
  kind: AmazonCredentialKind;
  label: string;
  keyId: string;
  createdAt: Date;
  secretChangedAt: Date;
  lastUsedAt: Date | null;
  createdBy: string;
  /** Whole days since the secret was set. */
  ageDays: number;
  /** Older than CREDENTIAL_MAX_AGE_DAYS: replace it. */
  stale: boolean;
}

/** Storing or revealing is impossible (no key in production, unknown key, failed authentication). */
export class CredentialVaultError extends Error {
  constructor(
    message: string,
    readonly reason: 'NO_KEYS' | 'UNKNOWN_KEY' | 'DECRYPT_FAILED' | 'NOT_FOUND' | 'BAD_INPUT',
  ) {
    super(message);
    this.name = 'CredentialVaultError';
  }
}

export interface VaultOptions {
  /** Days after which a secret is stale (CREDENTIAL_MAX_AGE_DAYS). */
  maxAgeDays: number;
  now?: () => Date;
}

export interface SetCredentialInput {
  sellerAccountId: string;
  kind: AmazonCredentialKind;
  label?: string | null;
  secret: string;
  actor: string;
  requestId?: string | null;
}

export interface RotationReport {
  currentKeyId: string;
  /** Credentials found under another key and re-encrypted under the current one. */
  reencrypted: number;
  /** Already under the current key (a previous, possibly interrupted, rotation or a recent set). */
  alreadyCurrent: number;
  /** Could not be decrypted (key missing from CREDENTIAL_KEYS, or tampered): left as they were. */
  failed: { id: string; keyId: string; reason: string }[];
}

/** The authenticated data binding a ciphertext to its row: a copy in another row fails to decrypt. */
function additionalData(row: Pick<AmazonCredential, 'id' | 'kind' | 'sellerAccountId'>): Buffer {
  return Buffer.from(`sellergate-credential:v1\n${row.id}\n${row.kind}\n${row.sellerAccountId}`, 'utf8');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isCredentialKind(value: string): value is AmazonCredentialKind {
  return (CREDENTIAL_KINDS as string[]).includes(value);
}

export class CredentialVault {
  private readonly now: () => Date;

  constructor(
    /** null: no key configured (production): storing and revealing refused, listing still works. */
    private readonly keyRing: KeyRing | null,
    private readonly options: VaultOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  get currentKeyId(): string | null {
    return this.keyRing?.currentKeyId ?? null;
  }

  get maxAgeDays(): number {
    return this.options.maxAgeDays;
  }

  private requireKeys(action: string): KeyRing {
    if (!this.keyRing) {
      throw new CredentialVaultError(`Cannot ${action} Amazon credentials: CREDENTIAL_KEYS is not set (required in production; generate a key with \`openssl rand -base64 32\`)`, 'NO_KEYS');
    }
    return this.keyRing;
  }

  private encrypt(row: Pick<AmazonCredential, 'id' | 'kind' | 'sellerAccountId'>, secret: string): Pick<AmazonCredential, 'ciphertext' | 'iv' | 'authTag' | 'keyId'> {
    const ring = this.requireKeys('store');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', ring.keys.get(ring.currentKeyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(row));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId: ring.currentKeyId };
  }

  private decrypt(row: AmazonCredential): string {
    const ring = this.requireKeys('reveal');
    const key = ring.keys.get(row.keyId);
    if (!key) {
      const remedy =
        row.keyId === DEMO_CREDENTIAL_KEY_ID
          ? 'it was stored with the development demo key, which only development and test have without CREDENTIAL_KEYS: store it again'
          : 'add that key back (after the current one) and run `sellergate credentials rotate-key`';
      throw new CredentialVaultError(`Credential ${row.id} is encrypted under key "${row.keyId}", which CREDENTIAL_KEYS does not hold: ${remedy}`, 'UNKNOWN_KEY');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, row.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(row));
      decipher.setAuthTag(row.authTag);
      return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // Wrong key material under the id, altered ciphertext, IV or tag, or a ciphertext moved from another row.
      throw new CredentialVaultError(`Credential ${row.id} failed authentication under key "${row.keyId}": the stored ciphertext was altered, moved from another credential, or the key is wrong. Store the credential again.`, 'DECRYPT_FAILED');
    }
  }

  describe(row: AmazonCredential): CredentialMetadata {
    const age = this.now().getTime() - row.secretChangedAt.getTime();
    return {
      id: row.id,
      sellerAccountId: row.sellerAccountId,
      kind: row.kind,
      label: row.label,
      keyId: row.keyId,
      createdAt: row.createdAt,
      secretChangedAt: row.secretChangedAt,
      lastUsedAt: row.lastUsedAt,
      createdBy: row.createdBy,
      ageDays: Math.max(0, Math.floor(age / DAY_MS)),
      // Too old, or refused by Amazon (until stored again).
      stale: age > this.options.maxAgeDays * DAY_MS || Boolean(row.refusedAt),
    };
  }

  /**
   * Stores a credential, or replaces the secret of the one with the same account, kind and label
   * (its age then starts again). Recorded as `credential.set` / `credential.replace`.
   */
  async set(manager: EntityManager, input: SetCredentialInput): Promise<{ credential: CredentialMetadata; replaced: boolean }> {
    const ring = this.requireKeys('store');
    // The demo key is public: a database that holds credentials under CREDENTIAL_KEYS keys is not a
    // development one (e.g. a command run without the production environment) and gets none under it.
    if (ring.demo && (await manager.existsBy(AmazonCredential, { keyId: Not(DEMO_CREDENTIAL_KEY_ID) }))) {
      throw new CredentialVaultError(
        'Not stored: CREDENTIAL_KEYS is not set, and this database holds credentials encrypted under CREDENTIAL_KEYS keys; the development demo key would leave the value readable by anyone. Run the command with the same CREDENTIAL_KEYS (and NODE_ENV=production) as the gateway',
        'NO_KEYS',
      );
    }
    if (!isCredentialKind(input.kind)) throw new CredentialVaultError(`Unknown credential kind "${String(input.kind)}": one of ${CREDENTIAL_KINDS.join(', ')}`, 'BAD_INPUT');
    const label = (input.label ?? '').trim() || 'default';
    if (label.length > 100) throw new CredentialVaultError(`Label is ${label.length} characters long; at most 100`, 'BAD_INPUT');
    const secret = input.secret.trim();
    if (!secret) throw new CredentialVaultError('The credential value is empty', 'BAD_INPUT');
    if (secret.length > MAX_SECRET_LENGTH) throw new CredentialVaultError(`The credential value is ${secret.length} characters long; at most ${MAX_SECRET_LENGTH}`, 'BAD_INPUT');
    if (!(await manager.existsBy(SellerAccount, { sellerId: input.sellerAccountId }))) {
      throw new CredentialVaultError(`Unknown seller account "${input.sellerAccountId}": register it first (sellergate account add)`, 'BAD_INPUT');
    }
    const now = this.now();
    const existing = await manager.findOneBy(AmazonCredential, { sellerAccountId: input.sellerAccountId, kind: input.kind, label });
    const row = existing ?? manager.create(AmazonCredential, { id: randomUUID(), sellerAccountId: input.sellerAccountId, kind: input.kind, label, createdAt: now, createdBy: input.actor.slice(0, 200), lastUsedAt: null });
    Object.assign(row, this.encrypt(row, secret), { secretChangedAt: now, refusedAt: null });
    await manager.save(AmazonCredential, row);
    await recordUserAction(manager, { actor: input.actor, action: existing ? 'credential.replace' : 'credential.set', target: row.id, requestId: input.requestId, time: now });
    return { credential: this.describe(row), replaced: Boolean(existing) };
  }

  /** Metadata of every credential (or of the stale ones), by account, kind and label. */
  /** The metadata of the credentials within `scope` (the caller's row scope). */
  async list(manager: EntityManager, filter: { staleOnly?: boolean; sellerAccountId?: string }, scope: RowScope): Promise<CredentialMetadata[]> {
    // Metadata columns only: the ciphertext is not even read.
    const query = scopedQuery({ scope }, manager, AmazonCredential, 'c')
      .select(['c.id', 'c.sellerAccountId', 'c.kind', 'c.label', 'c.keyId', 'c.createdAt', 'c.secretChangedAt', 'c.lastUsedAt', 'c.createdBy', 'c.refusedAt'])
      .orderBy('c.sellerAccountId', 'ASC')
      .addOrderBy('c.kind', 'ASC')
      .addOrderBy('c.label', 'ASC');
    if (filter.sellerAccountId) query.andWhere('c.sellerAccountId = :account', { account: filter.sellerAccountId });
    const rows = await query.getMany();
    const all = rows.map((row) => this.describe(row));
    return filter.staleOnly ? all.filter((credential) => credential.stale) : all;
  }

  /**
   * The plaintext, for the gateway's own Amazon API client (never exposed over GraphQL). Records
   * the use (`last_used_at`, a `credential.reveal` action). Fails closed: a credential that does
   * not authenticate under its key throws CredentialVaultError.
   */
  async reveal(manager: EntityManager, id: string, use: { actor: string; requestId?: string | null }): Promise<string> {
    const row = UUID.test(id) ? await manager.findOneBy(AmazonCredential, { id }) : null;
    if (!row) throw new CredentialVaultError(`No credential ${id}`, 'NOT_FOUND');
    const secret = this.decrypt(row);
    const now = this.now();
    await manager.update(AmazonCredential, { id }, { lastUsedAt: now });
    await recordUserAction(manager, { actor: use.actor, action: 'credential.reveal', target: id, requestId: use.requestId, time: now });
    return secret;
  }

  /** Deletes a credential (recorded as `credential.remove`); false when there is none. */
  /** Removes a credential within `by.scope`; one outside it is answered as absent (null). */
  async remove(manager: EntityManager, id: string, by: { actor: string; requestId?: string | null; scope: RowScope }): Promise<CredentialMetadata | null> {
    const row = UUID.test(id) ? await scopedQuery({ scope: by.scope }, manager, AmazonCredential, 'c').andWhere('c.id = :id', { id }).getOne() : null;
    if (!row) return null;
    await manager.delete(AmazonCredential, { id });
    await recordUserAction(manager, { actor: by.actor, action: 'credential.remove', target: id, requestId: by.requestId, time: this.now() });
    return this.describe(row);
  }

  /**
   * Re-encrypts every credential under the current key, `batchSize` rows per transaction in id
   * order. Idempotent and resumable: rows already under the current key are skipped, so an
   * interrupted rotation is finished by running it again. A row that does not decrypt is left
   * untouched and reported (the rotation carries on with the others).
   */
  async rotate(dataSource: DataSource, options: { actor: string; batchSize?: number; onProgress?: (done: number, total: number) => void }): Promise<RotationReport> {
    const ring = this.requireKeys('re-encrypt');
    const batchSize = Math.max(1, options.batchSize ?? 100);
    const repository = dataSource.getRepository(AmazonCredential);
    const alreadyCurrent = await repository.countBy({ keyId: ring.currentKeyId });
    const total = await repository.countBy({ keyId: Not(ring.currentKeyId) });
    const report: RotationReport = { currentKeyId: ring.currentKeyId, reencrypted: 0, alreadyCurrent, failed: [] };
    let after = '00000000-0000-0000-0000-000000000000';
    let done = 0;
    options.onProgress?.(0, total);
    for (;;) {
      const batch = await dataSource.transaction(async (manager) => {
        const rows = await manager.find(AmazonCredential, {
          where: { keyId: Not(ring.currentKeyId), id: MoreThan(after) },
          order: { id: 'ASC' },
          take: batchSize,
          lock: { mode: 'pessimistic_write' },
        });
        for (const row of rows) {
          let secret: string;
          try {
            secret = this.decrypt(row);
          } catch (error) {
            report.failed.push({ id: row.id, keyId: row.keyId, reason: (error as Error).message });
            continue;
          }
          const fresh = this.encrypt(row, secret);
          await manager.update(AmazonCredential, { id: row.id }, fresh);
          report.reencrypted += 1;
        }
        return rows;
      });
      if (batch.length === 0) break;
      after = batch[batch.length - 1].id;
      done += batch.length;
      options.onProgress?.(done, total);
    }
    await dataSource.transaction(async (manager) => {
      const summary = `key ${ring.currentKeyId}: ${report.reencrypted} re-encrypted, ${report.alreadyCurrent} already current, ${report.failed.length} failed`;
      await recordUserAction(manager, { actor: options.actor, action: 'credential.rotate-key', target: summary, time: this.now() });
      await recordSystemEvent(manager, { level: report.failed.length ? 'ERROR' : 'INFO', component: 'credentials', message: `credential key rotation, ${summary}`, time: this.now() });
    });
    return report;
  }
}

/** The vault as configured: CREDENTIAL_KEYS (or the demo key outside production), CREDENTIAL_MAX_AGE_DAYS. */
export function createCredentialVault(config: Pick<Config, 'NODE_ENV' | 'CREDENTIAL_KEYS' | 'CREDENTIAL_MAX_AGE_DAYS'>, now?: () => Date): CredentialVault {
  return new CredentialVault(resolveCredentialKeys(config), { maxAgeDays: config.CREDENTIAL_MAX_AGE_DAYS, now });
}

export interface CredentialHealth {
  total: number;
  stale: CredentialMetadata[];
  /** Under a key CREDENTIAL_KEYS does not hold (cannot be used until the key is back). */
  undecryptable: CredentialMetadata[];
}

/**
 * At start-up: stale credentials and credentials under a key no longer configured, each written to
 * SYSTEM_LOGS as one warning (ids, kinds and ages only).
 */
export async function checkCredentialHealth(manager: EntityManager, vault: CredentialVault, keyRing: KeyRing | null): Promise<CredentialHealth> {
  const all = await vault.list(manager, {}, UNRESTRICTED_SCOPE);
  const stale = all.filter((credential) => credential.stale);
  const undecryptable = keyRing ? all.filter((credential) => !keyRing.keys.has(credential.keyId)) : [];
  const describe = (list: CredentialMetadata[]) =>
    list
      .slice(0, 10)
      .map((c) => `${c.id} (${c.sellerAccountId} ${c.kind} ${c.label}, ${c.ageDays} days)`)
      .join(', ') + (list.length > 10 ? `, and ${list.length - 10} more` : '');
  if (stale.length > 0) {
    await recordSystemEvent(manager, {
      level: 'WARN',
      component: 'credentials',
      message: `${stale.length} Amazon credential(s) older than ${vault.maxAgeDays} days, replace them: ${describe(stale)}`,
    });
  }
  if (undecryptable.length > 0) {
    await recordSystemEvent(manager, {
      level: 'ERROR',
      component: 'credentials',
      message: `${undecryptable.length} Amazon credential(s) under a key CREDENTIAL_KEYS does not hold: ${describe(undecryptable)}`,
    });
  }
  return { total: all.length, stale, undecryptable };
}

/** Start-up check of the server: logs (and writes to SYSTEM_LOGS) what needs an operator; never stops start-up. */
export async function reportCredentialHealth(
  dataSource: DataSource,
  config: Pick<Config, 'NODE_ENV' | 'CREDENTIAL_KEYS' | 'CREDENTIAL_MAX_AGE_DAYS'>,
  log: { warn(details: object, message: string): void; error(details: object, message: string): void },
  now?: () => Date,
): Promise<CredentialHealth | null> {
  try {
    const keyRing = resolveCredentialKeys(config);
    if (!keyRing) log.warn({}, 'CREDENTIAL_KEYS is not set: Amazon credentials can be neither stored nor used (generate a key with `openssl rand -base64 32`)');
    const health = await dataSource.transaction((manager) => checkCredentialHealth(manager, new CredentialVault(keyRing, { maxAgeDays: config.CREDENTIAL_MAX_AGE_DAYS, now }), keyRing));
    if (health.stale.length > 0) log.warn({ stale: health.stale.map((c) => c.id) }, `${health.stale.length} Amazon credential(s) older than ${config.CREDENTIAL_MAX_AGE_DAYS} days: replace them (sellergate credentials list --stale)`);
    if (health.undecryptable.length > 0) log.error({ credentials: health.undecryptable.map((c) => c.id) }, `${health.undecryptable.length} Amazon credential(s) under a key CREDENTIAL_KEYS does not hold`);
    return health;
  } catch (error) {
    log.error({ err: error }, 'credential check failed');
    return null;
  }
}
