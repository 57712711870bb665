import { createMasker, last4, month, pseudonym, REDACTED, resolvePseudonymKey, round } from '../../src/policy/masks';
import { MaskKind } from '../../src/policy/taxonomy';

describe('masks', () => {
  it('LAST4 keeps separators and the last four characters', () => {
    expect(last4('112-8095165-5463447')).toBe('***-*******-3447');
    expect(last4('1Z999AA10123456784')).toBe('**************6784');
    expect(last4('AB12')).toBe('****');
    expect(last4('192.168.10.77')).toBe('***.***.10.77');
    expect(last4('ABC-DEF-12')).toBe('***-*EF-12');
  });

  it('PSEUDONYM is keyed, stable and shaped psn_ + 16 hex', () => {
    const a = pseudonym('A2EUQ1WTGCTBG2', 'key-one-0123456789');
    expect(a).toMatch(/^psn_[0-9a-f]{16}$/);
    expect(pseudonym('A2EUQ1WTGCTBG2', 'key-one-0123456789')).toBe(a);
    expect(pseudonym('A2EUQ1WTGCTBG2', 'key-two-0123456789')).not.toBe(a);
  });

  it('ROUND rounds money to the nearest 100 and ratios to one decimal', () => {
    expect(round('1123.45', 'Decimal')).toBe('1100');
    expect(round('1150.00', 'Decimal')).toBe('1200');
    expect(round('-1150.00', 'Decimal')).toBe('-1200');
    expect(round('12.30', 'Decimal')).toBe('0');
    expect(round(4321, 'Int')).toBe(4300);
    expect(round(0.2345, 'Float')).toBe(0.2);
  });

  it('MONTH keeps the month of dates and ISO strings', () => {
    expect(month('2025-07-10')).toBe('2025-07-01');
    expect(month(new Date('2025-07-10T13:45:00Z'))).toEqual(new Date('2025-07-01T00:00:00Z'));
    expect(month('2025-07-10T13:45:00.000Z')).toBe('2025-07-01T00:00:00.000Z');
    expect(month('not a date')).toBe(REDACTED);
  });

  it('masks lists element by element and keeps null', () => {
    const masker = createMasker('k'.repeat(16));
    expect(masker.apply(MaskKind.REDACT, ['a', null], 'String')).toEqual([REDACTED, null]);
    expect(masker.apply(MaskKind.LAST4, null, 'String')).toBeNull();
  });

  it('requires a pseudonym key in production only', () => {
    expect(() => resolvePseudonymKey({ NODE_ENV: 'production' })).toThrow(/PSEUDONYM_KEY/);
    expect(resolvePseudonymKey({ NODE_ENV: 'development' })).toBeTruthy();
    expect(resolvePseudonymKey({ NODE_ENV: 'production', PSEUDONYM_KEY: 'x'.repeat(16) })).toBe('x'.repeat(16));
  });
});
