// Header handling for flat files: columns are found by name (never by position), through alias
// lists covering the English, Japanese and German spellings; personal columns are dropped at the
// door (their index is never read); unknown columns are ignored and reported by name.

/** `" Order ID "` -> `order-id`; `7 Day Total Sales ` -> `7-day-total-sales`. */
export function normalizeHeader(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

// Buyer data never stored (DESIGN.md ingestion; FORMATS.md §1.3 PII). Names, e-mails, phones,
// street lines and billing columns; the Brazilian personal tax id; gift messages.
const PERSONAL_EXACT = new Set(
  [
    'buyer-email',
    'buyer-name',
    'buyer-phone-number',
    'buyer-company-name',
    'recipient-name',
    'ship-address-1',
    'ship-address-2',
    'ship-address-3',
    'ship-phone-number',
    // The city narrows a buyer down with the postal code; the order tables never keep it.
    'ship-city',
    'cpf',
    'purchase-order-number',
    'gift-message',
    'gift-message-text',
    'customized-url',
    'customized-page',
    // Japanese and German spellings of the same columns
    '購入者eメール',
    '購入者メールアドレス',
    '購入者名',
    '購入者電話番号',
    '受取人名',
    'お届け先住所1',
    'お届け先住所2',
    'お届け先住所3',
    'お届け先電話番号',
    'käufer-e-mail',
    'käufername',
    'käufer-telefonnummer',
    'empfängername',
    'lieferadresse-1',
    'lieferadresse-2',
    'lieferadresse-3',
  ].map(normalizeHeader),
);

// Anything that reads like a billing column, an e-mail, a phone number or a street line is
// treated as personal even when the report is new to us.
const PERSONAL_PATTERN = /^bill-|^billing|e-?mail|phone|telefon|電話|メール|住所|氏名|address-?line|^ship-address|^recipient/;

export function isPersonalHeader(normalized: string): boolean {
  return PERSONAL_EXACT.has(normalized) || PERSONAL_PATTERN.test(normalized);
}

/** Canonical field name -> accepted header spellings (normalized on use). */
export type FieldAliases = Record<string, readonly string[]>;

export class HeaderMap {
  private readonly indexes = new Map<string, number>();
  /** Original names of personal columns never read. */
  readonly dropped: string[] = [];
  /** Original names of columns this report type does not use. */
  readonly ignored: string[] = [];

  constructor(
    readonly header: readonly string[],
    fields: FieldAliases,
    /** Columns a report carries that are personal but kept in PERSONAL fields (e.g. ship postal code). */
    keepPersonal: readonly string[] = [],
  ) {
    const lookup = new Map<string, string>();
    for (const [key, aliases] of Object.entries(fields)) {
      lookup.set(normalizeHeader(key), key);
      for (const alias of aliases) lookup.set(normalizeHeader(alias), key);
    }
    const kept = new Set(keepPersonal);
    header.forEach((name, index) => {
      const normalized = normalizeHeader(name);
      if (normalized === '') return;
      const key = lookup.get(normalized);
      if (key && (!isPersonalHeader(normalized) || kept.has(key))) {
        if (!this.indexes.has(key)) this.indexes.set(key, index);
        return;
      }
      if (isPersonalHeader(normalized)) this.dropped.push(name.trim());
      else this.ignored.push(name.trim());
    });
  }

  has(key: string): boolean {
    return this.indexes.has(key);
  }

  index(key: string): number | undefined {
    return this.indexes.get(key);
  }

  missing(keys: readonly string[]): string[] {
    return keys.filter((key) => !this.indexes.has(key));
  }

  /** How many of these keys the header carries (report type detection). */
  score(keys: readonly string[]): number {
    return keys.reduce((n, key) => n + (this.indexes.has(key) ? 1 : 0), 0);
  }
}

/** A data row of a flat file, read through its header map. */
export class FlatRow {
  constructor(
    readonly line: number,
    private readonly cells: readonly string[],
    private readonly map: HeaderMap,
  ) {}

  /** The raw cell (untrimmed), '' for a short row, undefined when the header lacks the column. */
  get(key: string): string | undefined {
    const index = this.map.index(key);
    if (index === undefined) return undefined;
    return this.cells[index] ?? '';
  }

  has(key: string): boolean {
    return this.map.has(key);
  }
}
