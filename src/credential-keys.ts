// The keys that encrypt Amazon credentials, from CREDENTIAL_KEYS: `<keyId>:<base64 of 32 bytes>`,
// comma-separated; the first encrypts, the others only decrypt (what rotation moves away from).
// Errors name the variable and the entry's position, never the key material, nor the key id: an
// entry written the wrong way round (`<key>:<id>`, e.g. a base64url key) would have the key there.
import { createHash } from 'node:crypto';
import type { Config } from './config';

export const CREDENTIAL_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface KeyRing {
  /** Id of the key new ciphertexts are made with. */
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
  /** True for the built-in development key (never in production). */
  demo: boolean;
}

/** Used outside production when CREDENTIAL_KEYS is not set: credentials it protects are not secret. */
export const DEMO_CREDENTIAL_KEY_ID = 'demo';
const DEMO_CREDENTIAL_KEY = createHash('sha256').update('sellergate-demo-credential-key-not-secret').digest();

/** Parses CREDENTIAL_KEYS; throws an Error naming the variable and the bad entry's position (no part of its value). */
export function parseCredentialKeys(value: string): KeyRing {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new Error('CREDENTIAL_KEYS holds no key: expected <keyId>:<base64 of 32 bytes>[,<oldKeyId>:<base64>...]');
  const keys = new Map<string, Buffer>();
  const positions = new Map<string, number>();
  entries.forEach((entry, index) => {
    const position = `entry ${index + 1} of CREDENTIAL_KEYS`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${position} has no key id: expected <keyId>:<base64 of 32 bytes>`);
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new Error(`${position}: the key id must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit)`);
    if (positions.has(id)) throw new Error(`entries ${positions.get(id)} and ${index + 1} of CREDENTIAL_KEYS have the same key id: key ids must be distinct`);
    positions.set(id, index + 1);
    const key = BASE64.test(material) ? Buffer.from(material, 'base64') : null;
    if (!key || key.toString('base64') !== material) throw new Error(`${position} is not valid base64 after its key id: generate a key with \`openssl rand -base64 32\``);
    if (key.length !== CREDENTIAL_KEY_BYTES) {
      throw new Error(`${position} decodes to ${key.length} bytes; AES-256 needs exactly ${CREDENTIAL_KEY_BYTES} (\`openssl rand -base64 32\`)`);
    }
    keys.set(id, key);
  });
  return { currentKeyId: entries[0].slice(0, entries[0].indexOf(':')).trim(), keys, demo: false };
}

/**
 * The key ring in force: CREDENTIAL_KEYS, else (outside production) the demo key, else null:
 * production without keys stores and reveals no credential.
 */
export function resolveCredentialKeys(config: Pick<Config, 'NODE_ENV' | 'CREDENTIAL_KEYS'>): KeyRing | null {
  if (config.CREDENTIAL_KEYS) return parseCredentialKeys(config.CREDENTIAL_KEYS);
  if (config.NODE_ENV === 'production') return null;
  return { currentKeyId: DEMO_CREDENTIAL_KEY_ID, keys: new Map([[DEMO_CREDENTIAL_KEY_ID, DEMO_CREDENTIAL_KEY]]), demo: true };
}
