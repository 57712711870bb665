// Masks (DESIGN.md "Masks"): each returns a value of the field's own GraphQL type, so a masked
// response validates against the same schema. Values are masked at the field, after loading.
import { createHmac } from 'node:crypto';
import type { Config } from '../config';
import { MaskKind } from './taxonomy';

export const REDACTED = '[redacted]';

/** Used outside production when PSEUDONYM_KEY is not set (pseudonyms then are not secret). */
export const DEMO_PSEUDONYM_KEY = 'sellergate-demo-pseudonym-key-not-secret';

/** The PSEUDONYM key; production refuses to start without a configured one. */
export function resolvePseudonymKey(config: Pick<Config, 'NODE_ENV' | 'PSEUDONYM_KEY'>): string {
  if (config.PSEUDONYM_KEY) return config.PSEUDONYM_KEY;
  if (config.NODE_ENV === 'production') throw new Error('PSEUDONYM_KEY must be set in production (at least 16 characters)');
  return DEMO_PSEUDONYM_KEY;
}

/**
 * `112-8095165-5463447` -> `***-*******-3447` (DESIGN.md): every group before the last separator
 * becomes stars of its length, separators are kept, and the last group shows only its last 4
 * characters. Without separators: stars, then the last 4. Four characters or fewer: all stars.
 */
export function last4(value: string): string {
  const alnum = value.replace(/[^A-Za-z0-9]/g, '');
  if (alnum.length <= 4) return value.replace(/[A-Za-z0-9]/g, '*');
  const tail = alnum.slice(-4);
  const lastSeparator = value.search(/[^A-Za-z0-9][A-Za-z0-9]*$/);
  if (lastSeparator < 0) return '*'.repeat(alnum.length - 4) + tail;
  const head = value.slice(0, lastSeparator + 1).replace(/[A-Za-z0-9]/g, '*');
  const lastGroup = value.slice(lastSeparator + 1);
  return lastGroup.length >= 4 ? head + tail : last4Short(value);
}

/** Last group shorter than 4: star everything but the last 4 characters, separators kept. */
function last4Short(value: string): string {
  let keep = 4;
  let out = '';
  for (let i = value.length - 1; i >= 0; i -= 1) {
    const char = value[i];
    if (/[A-Za-z0-9]/.test(char)) {
      out = (keep > 0 ? char : '*') + out;
      if (keep > 0) keep -= 1;
    } else out = char + out;
  }
  return out;
}

/** Keyed HMAC-SHA256: `psn_` + 16 hex; the same input gives the same pseudonym (joins still work). */
export function pseudonym(value: string, key: string): string {
  return `psn_${createHmac('sha256', key).update(value).digest('hex').slice(0, 16)}`;
}

function roundHalfAwayFromZero(value: number, step: number): number {
  const rounded = Math.sign(value) * Math.round(Math.abs(value) / step) * step;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/**
 * Decimal (string or number) and Int: to the nearest 100 (`1123.45` -> `"1100"`). Float fields
 * are ratios (ACOS, ROAS, CTR, CPC; money is always Decimal): to 1 decimal place.
 */
export function round(value: string | number, outputType: string): string | number {
  if (outputType === 'Float') {
    const number = typeof value === 'number' ? value : Number(value);
    return Math.round(number * 10) / 10;
  }
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) return value;
  const rounded = roundHalfAwayFromZero(number, 100);
  return typeof value === 'string' ? String(rounded) : rounded;
}

/** Personal dates to the first of the month: `2025-07-10` -> `2025-07-01` (Date or string). */
export function month(value: Date | string): Date | string {
  if (value instanceof Date) return new Date(Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), 1));
  const match = /^(\d{4})-(\d{2})-\d{2}(.*)$/.exec(value);
  // Not a date: fail closed rather than pass a personal value through.
  if (!match) return /^\d{4}-\d{2}$/.test(value) ? value : REDACTED;
  const [, year, mon, rest] = match;
  if (!rest) return `${year}-${mon}-01`;
  return new Date(Date.UTC(Number(year), Number(mon) - 1, 1)).toISOString();
}

export interface Masker {
  /** Masks one resolved value (lists element by element; null stays null). */
  apply(kind: MaskKind, value: unknown, outputType: string): unknown;
}

export function createMasker(pseudonymKey: string): Masker {
  const one = (kind: MaskKind, value: unknown, outputType: string): unknown => {
    if (value === null || value === undefined) return value;
    switch (kind) {
      case MaskKind.LAST4:
        return last4(String(value));
      case MaskKind.PSEUDONYM:
        return pseudonym(String(value), pseudonymKey);
      case MaskKind.ROUND:
        return typeof value === 'string' || typeof value === 'number' ? round(value, outputType) : null;
      case MaskKind.MONTH:
        return value instanceof Date || typeof value === 'string' ? month(value) : null;
      case MaskKind.REDACT:
        return REDACTED;
    }
  };
  const apply = (kind: MaskKind, value: unknown, outputType: string): unknown =>
    Array.isArray(value) ? value.map((item) => apply(kind, item, outputType)) : one(kind, value, outputType);
  return { apply };
}
