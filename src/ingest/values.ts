// Cell value parsers for the formats Amazon files really carry (FORMATS.md §0): dates in several
// shapes and zones, decimals with commas or currency signs, Excel-damaged ids. Every parser
// returns null for an empty cell and throws a ValueError (never echoing the value) when a
// non-empty cell cannot be read.
import type { DateOrder } from './marketplaces';

export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** Trims; a cell holding only blanks (real files hold `" "`) is empty. */
export function cleanCell(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

// Offsets of the zone abbreviations seen in Amazon reports (and their German spellings).
const ZONES: Record<string, string> = {
  UTC: '+00:00',
  GMT: '+00:00',
  Z: '+00:00',
  BST: '+01:00',
  WET: '+00:00',
  WEST: '+01:00',
  CET: '+01:00',
  CEST: '+02:00',
  MEZ: '+01:00',
  MESZ: '+02:00',
  PST: '-08:00',
  PDT: '-07:00',
  MST: '-07:00',
  MDT: '-06:00',
  CST: '-06:00',
  CDT: '-05:00',
  EST: '-05:00',
  EDT: '-04:00',
  JST: '+09:00',
  IST: '+05:30',
  AEST: '+10:00',
  AEDT: '+11:00',
};

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  // German abbreviations that differ from the English ones
  mär: 3, mrz: 3, mai: 5, okt: 10, dez: 12,
};

export interface DateOptions {
  /** Order of day and month in `dd/dd/yyyy` dates (marketplace locale). Default MDY. */
  dateOrder?: DateOrder;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function checkedDate(year: number, month: number, day: number): string {
  if (month < 1 || month > 12 || day < 1 || day > 31) throw new ValueError('not a valid date');
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1) throw new ValueError('not a valid date');
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

function fullYear(year: string): number {
  const n = Number(year);
  return year.length === 2 ? (n >= 70 ? 1900 + n : 2000 + n) : n;
}

function offsetOf(zone: string | undefined): string | null {
  if (!zone) return null;
  const z = zone.trim();
  if (/^[+-]\d{2}:?\d{2}$/.test(z)) return z.length === 5 ? `${z.slice(0, 3)}:${z.slice(3)}` : z;
  const named = ZONES[z.toUpperCase()];
  if (!named) throw new ValueError('unknown time zone');
  return named;
}

function dayMonth(a: string, b: string, order: DateOrder): [number, number] {
  const x = Number(a);
  const y = Number(b);
  // A value above 12 settles the order whatever the locale says.
  if (x > 12 && y <= 12) return [x, y];
  if (y > 12 && x <= 12) return [y, x];
  return order === 'DMY' ? [x, y] : [y, x];
}

/**
 * A date (no time): `2025-07-10`, `10-Jul-2025`, `07/10/2016` (by locale), `20230208`,
 * `Aug 18, 2026`, `10.07.2025`, `2017/06/05`. Returns `YYYY-MM-DD`.
 */
export function parseDate(raw: string | null | undefined, options: DateOptions = {}): string | null {
  const value = cleanCell(raw);
  if (value === null) return null;
  const order = options.dateOrder ?? 'MDY';
  let match: RegExpMatchArray | null;
  if ((match = value.match(/^(\d{4})-(\d{2})-(\d{2})$/))) return checkedDate(+match[1], +match[2], +match[3]);
  if ((match = value.match(/^(\d{4})(\d{2})(\d{2})$/))) return checkedDate(+match[1], +match[2], +match[3]);
  if ((match = value.match(/^(\d{4})\/(\d{1,2})\/(\d{1,2})$/))) return checkedDate(+match[1], +match[2], +match[3]);
  if ((match = value.match(/^(\d{1,2})[-. ]([A-Za-zäÄ]{3,4})\.?[-. ](\d{2}|\d{4})$/))) {
    const month = MONTHS[match[2].toLowerCase()];
    if (!month) throw new ValueError('unknown month name');
    return checkedDate(fullYear(match[3]), month, +match[1]);
  }
  if ((match = value.match(/^([A-Za-z]{3,4})\.? (\d{1,2}), (\d{4})$/))) {
    const month = MONTHS[match[1].toLowerCase()];
    if (!month) throw new ValueError('unknown month name');
    return checkedDate(+match[3], month, +match[2]);
  }
  if ((match = value.match(/^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/))) return checkedDate(fullYear(match[3]), +match[2], +match[1]);
  if ((match = value.match(/^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/))) {
    const [day, month] = dayMonth(match[1], match[2], order);
    return checkedDate(fullYear(match[3]), month, day);
  }
  // A timestamp where a date is expected: keep its calendar date as written.
  const stamp = parseTimestampParts(value, order);
  if (stamp) return stamp.date;
  throw new ValueError('not a recognized date');
}

interface StampParts {
  date: string;
  time: string;
  offset: string | null;
}

function parseTimestampParts(value: string, order: DateOrder): StampParts | null {
  let match: RegExpMatchArray | null;
  const time = (h: string, mi: string, s: string | undefined, frac: string | undefined) => {
    if (+h > 23 || +mi > 59 || +(s ?? 0) > 60) throw new ValueError('not a valid time');
    return `${pad(+h)}:${mi}:${s ?? '00'}${frac ? `.${frac.slice(0, 6)}` : ''}`;
  };
  // ISO 8601: 2015-12-02T03:27:08+00:00, 2020-07-14T03:35:13.214Z, 2022-07-11T01:34:18-07:00
  if ((match = value.match(/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/))) {
    return {
      date: checkedDate(+match[1], +match[2], +match[3]),
      time: time(match[4], match[5], match[6], match[7]),
      offset: match[8] ? offsetOf(match[8]) : null,
    };
  }
  // 2013-01-07 07:35:42 PST, 2023-01-01 00:00:00 UTC, 2017/06/05 6:57:28 JST
  if ((match = value.match(/^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/))) {
    return {
      date: checkedDate(+match[1], +match[2], +match[3]),
      time: time(match[4], match[5], match[6], undefined),
      offset: offsetOf(match[7]),
    };
  }
  // 29/09/2025 16:19:39 BST (UK), 07/10/2016 12:00:00 PDT (US), 10.07.2025 12:00:00 MESZ (DE)
  if ((match = value.match(/^(\d{1,2})([/.])(\d{1,2})[/.](\d{2}|\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/))) {
    const [day, month] = match[2] === '.' ? [+match[1], +match[3]] : dayMonth(match[1], match[3], order);
    return {
      date: checkedDate(fullYear(match[4]), month, day),
      time: time(match[5], match[6], match[7], undefined),
      offset: offsetOf(match[8]),
    };
  }
  // 10-Jul-2025 14:00:00 PDT
  if ((match = value.match(/^(\d{1,2})-([A-Za-z]{3,4})-(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/))) {
    const month = MONTHS[match[2].toLowerCase()];
    if (!month) throw new ValueError('unknown month name');
    return {
      date: checkedDate(+match[3], month, +match[1]),
      time: time(match[4], match[5], match[6], undefined),
      offset: offsetOf(match[7]),
    };
  }
  return null;
}

export interface TimestampOptions extends DateOptions {
  /** Offset assumed when the value carries no zone (e.g. `+00:00`). Default UTC. */
  defaultOffset?: string;
}

/**
 * A point in time, returned as ISO 8601 in UTC (`2013-01-07T15:35:42.000Z`). Accepts the ISO form
 * with offset, `YYYY-MM-DD HH:MM:SS ZONE`, `DD/MM/YYYY HH:MM:SS BST` (order by locale), and a plain
 * date (midnight in the default offset).
 */
export function parseTimestamp(raw: string | null | undefined, options: TimestampOptions = {}): string | null {
  const value = cleanCell(raw);
  if (value === null) return null;
  const order = options.dateOrder ?? 'MDY';
  const parts = parseTimestampParts(value, order);
  if (!parts) {
    const date = parseDate(value, options);
    if (date === null) return null;
    return toUtc(date, '00:00:00', options.defaultOffset ?? '+00:00');
  }
  return toUtc(parts.date, parts.time, parts.offset ?? options.defaultOffset ?? '+00:00');
}

function toUtc(date: string, time: string, offset: string): string {
  // Already UTC, whole seconds (the common case in reports): the ISO text is the answer.
  // `date` is checked and padded; seconds of 60 go the long way (and are refused there).
  if (offset === '+00:00' && time.length === 8 && time.charCodeAt(6) < 54 /* '6' */) return `${date}T${time}.000Z`;
  const ms = Date.parse(`${date}T${time}${offset}`);
  if (Number.isNaN(ms)) throw new ValueError('not a valid timestamp');
  return new Date(ms).toISOString();
}

export interface DecimalOptions {
  /** The file writes decimals with a comma (`95,00`), as EU settlement reports do. */
  decimalComma?: boolean;
}

/**
 * A decimal as an exact string (`"1920.00"`, `"-3.22"`): accepts `$ 16.22`, `"$1,920.00"`,
 * `95,00` (decimal comma), `1.234,56`, `18.7558%` (returned without the sign), `(12.00)`.
 * `--` and `N/A` are empty.
 */
export function parseDecimal(raw: string | number | null | undefined, options: DecimalOptions = {}): string | null {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValueError('not a number');
    return String(raw);
  }
  const value = cleanCell(raw);
  if (value === null || value === '--' || value === '-' || /^n\/?a$/i.test(value)) return null;
  let text = value.replace(/[\s\u00a0\u202f]/g, '').replace(/^[$£€¥￥]|^(USD|EUR|GBP|JPY|CAD)|(USD|EUR|GBP|JPY|CAD)$|[$£€¥￥]$/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  text = text.replace(/%$/, '').replace(/^[$£€¥￥]/, '');
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith('+')) text = text.slice(1);
  if (/^\d\.\d+E[+-]?\d+$/i.test(text)) throw new ValueError('number in scientific notation (Excel-damaged)');
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    // Both present: the last one is the decimal separator.
    text = lastComma > lastDot ? text.replace(/\./g, '').replace(',', '.') : text.replace(/,/g, '');
  } else if (lastComma >= 0) {
    const thousands = /^\d{1,3}(,\d{3})+$/.test(text);
    if (options.decimalComma || !thousands) {
      if (text.indexOf(',') !== lastComma) throw new ValueError('not a number');
      text = text.replace(',', '.');
    } else text = text.replace(/,/g, '');
  } else if (lastDot >= 0 && options.decimalComma && /^\d{1,3}(\.\d{3})+$/.test(text)) {
    text = text.replace(/\./g, '');
  }
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(text)) throw new ValueError('not a number');
  if (text.startsWith('.')) text = `0${text}`;
  text = text.replace(/^0+(?=\d)/, '');
  return negative && !/^0(\.0+)?$/.test(text) ? `-${text}` : text;
}

/** An integer quantity; `3.0` is accepted, `3.5` is not. */
export function parseInteger(raw: string | number | null | undefined, options: DecimalOptions = {}): number | null {
  const decimal = parseDecimal(raw, options);
  if (decimal === null) return null;
  const n = Number(decimal);
  if (!Number.isSafeInteger(n)) throw new ValueError('not a whole number');
  return n;
}

/** `true/false`, `Y/N`, `yes/no`, `1/0`. */
export function parseBoolean(raw: string | boolean | null | undefined): boolean | null {
  if (typeof raw === 'boolean') return raw;
  const value = cleanCell(raw);
  if (value === null) return null;
  const v = value.toLowerCase();
  if (['true', 'y', 'yes', '1', 'はい'].includes(v)) return true;
  if (['false', 'n', 'no', '0', 'いいえ'].includes(v)) return false;
  throw new ValueError('not a yes/no value');
}

const EXCEL_DAMAGED = /^[+-]?\d(?:[.,]\d+)?E\+?\d+$/i;

/** Ids that went through Excel arrive as `5.80293E+13`: the digits are lost for good. */
export function isExcelDamaged(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && EXCEL_DAMAGED.test(value.trim());
}

/**
 * An identifier kept as a string. Excel text wrapping (`="171234567890123"`) is removed; ids that
 * Excel turned into scientific notation are refused; numbers (Ads APIs) are stringified.
 */
export function parseId(raw: string | number | bigint | null | undefined): string | null {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) throw new ValueError('numeric id beyond the exact integer range');
    return String(raw);
  }
  if (typeof raw === 'bigint') return raw.toString();
  let value = cleanCell(raw);
  if (value === null) return null;
  const wrapped = value.match(/^="(.*)"$/);
  if (wrapped) value = cleanCell(wrapped[1]);
  if (value === null) return null;
  if (isExcelDamaged(value)) throw new ValueError('id damaged by a spreadsheet (scientific notation)');
  return value;
}

/** Plain text, trimmed; `="..."` wrapping removed. */
export function parseText(raw: string | number | null | undefined, maxLength?: number): string | null {
  if (typeof raw === 'number') return String(raw);
  let value = cleanCell(raw);
  if (value === null) return null;
  const wrapped = value.match(/^="(.*)"$/);
  if (wrapped) value = cleanCell(wrapped[1]);
  if (value !== null && maxLength !== undefined && value.length > maxLength) value = value.slice(0, maxLength);
  return value;
}
