// API token secrets: `sg_` + 32 random bytes (base64url). Only the SHA-256 is ever stored.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'sg_';
const TOKEN_PATTERN = /^sg_[A-Za-z0-9_-]{43}$/;

export function generateTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function looksLikeTokenSecret(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}
