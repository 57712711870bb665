// Reference numbers of requests filed on the public Data Deletion page: 128 random bits in
// RFC 4648 base32 (26 characters, shown in groups), unguessable; only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const PREFIX = 'DR';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A new reference, e.g. `DR-7K2Q4-ZB6XM-...`: 128 random bits. */
export function newReference(): string {
  const digits = base32(randomBytes(16));
  return `${PREFIX}-${digits.match(/.{1,5}/g)!.join('-')}`;
}

/** The reference as typed (any case, spaces or dashes) in canonical form, or null when it cannot be one. */
export function canonicalReference(typed: string): string | null {
  const compact = typed.toUpperCase().replace(/[\s-]/g, '');
  const digits = compact.startsWith(PREFIX) ? compact.slice(PREFIX.length) : compact;
  return /^[A-Z2-7]{26}$/.test(digits) ? digits : null;
}

/** What is stored of a reference: its SHA-256 (anything that is no reference hashes to a value no request has). */
export function referenceHash(typed: string): string {
  const canonical = canonicalReference(typed) ?? `invalid:${typed.slice(0, 200)}`;
  return createHash('sha256').update(`deletion-reference:${canonical}`).digest('hex');
}
