// What an importer is: a report definition (how to recognize the file, which columns it has,
// which tables it writes) and a mapper from one input row to table records. Mappers throw a
// RowError to reject a row; its message names the column and the problem, never the value.
import type { DataSourceKind } from '../../entities/common/provenance';
import type { FieldAliases, FlatRow } from './headers';
import type { KnownMarketplace } from './marketplaces';
import type { RecordValues, TableTarget } from './table-writer';
import {
  ValueError,
  parseBoolean,
  parseDate,
  parseDecimal,
  parseId,
  parseInteger,
  parseText,
  parseTimestamp,
  type DecimalOptions,
  type TimestampOptions,
} from './values';

export class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}

/** One record for one table (by target index in the definition's `targets`). */
export interface Emit {
  target: number;
  values: RecordValues;
}

export interface MapContext {
  sellerAccountId: string;
  /** The marketplace the import names (or the file gives); may be absent for files that carry it per row. */
  marketplace?: KnownMarketplace;
  /** `YYYY-MM-DD`: the as-of day of snapshot reports (inventory, restock, fee preview). */
  asOfDate: string;
  /** Resolves a marketplace id or sales channel of a row, checking the account may import it. */
  marketplaceFor(idOrChannel?: string | null): KnownMarketplace;
  /** Per-file state a mapper may keep (e.g. the settlement id of a summary row). */
  state: Record<string, unknown>;
  /** Records that are not rows of this report (e.g. other API streams in one file), by kind. */
  skip(kind: string): void;
}

interface BaseDefinition {
  /** Report type name (Seller Central / SP-API report type, or our name for an API response). */
  type: string;
  label: string;
  source: DataSourceKind;
  /** Tables written, in flush order (parents first). */
  targets: TableTarget[];
}

export interface FlatDefinition extends BaseDefinition {
  kind: 'flat';
  fields: FieldAliases;
  /** Columns that must be present. */
  required: string[];
  /** Columns that recognize the report (scored against the header). */
  signature: string[];
  /** Personal columns kept in PERSONAL fields. */
  keepPersonal?: string[];
  /** Excel-damaged ids in these columns reject the row even when the column is not stored. */
  idColumns?: string[];
  map(row: FlatRow, ctx: MapContext): Emit[];
}

export interface JsonRecord {
  /** Line (JSON Lines) or 1-based record number (JSON document). */
  line: number;
  record: Record<string, unknown>;
}

export interface JsonDefinition extends BaseDefinition {
  kind: 'json';
  /** True when a parsed JSON document (or a JSON Lines stream name) is this response. */
  matches(doc: unknown): boolean;
  /** The records of the document, in order. */
  records(doc: unknown): JsonRecord[];
  /** Account and marketplace the document itself names, if any. */
  scope?(doc: unknown): { sellerAccountId?: string; marketplaceId?: string };
  /** Paths of personal data present in the document and dropped (names only). */
  dropped?(doc: unknown): string[];
  map(record: Record<string, unknown>, ctx: MapContext): Emit[];
}

export type ReportDefinition = FlatDefinition | JsonDefinition;

function wrap<T>(column: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ValueError) throw new RowError(`${column}: ${error.message}`);
    throw error;
  }
}

/** Typed reads of a flat row's columns; `undefined` when the file lacks the column. */
export class Cells {
  constructor(
    private readonly row: FlatRow,
    private readonly options: TimestampOptions & DecimalOptions = {},
  ) {}

  has(key: string): boolean {
    return this.row.has(key);
  }

  private raw(key: string): string | undefined {
    return this.row.get(key);
  }

  text(key: string): string | null | undefined {
    const raw = this.raw(key);
    return raw === undefined ? undefined : parseText(raw);
  }

  id(key: string): string | null | undefined {
    const raw = this.raw(key);
    return raw === undefined ? undefined : wrap(key, () => parseId(raw));
  }

  decimal(key: string): string | null | undefined {
    const raw = this.raw(key);
    return raw === undefined ? undefined : wrap(key, () => parseDecimal(raw, this.options));
  }

  integer(key: string): number | null | undefined {
    const raw = this.raw(key);
    return raw === undefined ? undefined : wrap(key, () => parseInteger(raw, this.options));
  }

  boolean(key: string): boolean | null | undefined {
    const raw = this.raw(key);
    return raw === undefined ? undefined : wrap(key, () => parseBoolean(raw));
  }

  timestamp(key: string): string | null | undefined {
    const raw = this.raw(key);
    return raw === undefined ? undefined : wrap(key, () => parseTimestamp(raw, this.options));
  }

  date(key: string): string | null | undefined {
    const raw = this.raw(key);
    return raw === undefined ? undefined : wrap(key, () => parseDate(raw, this.options));
  }

  /** A value the row cannot do without. */
  need<T>(key: string, value: T | null | undefined): T {
    if (value === null || value === undefined) throw new RowError(`${key} is empty`);
    return value;
  }
}

/** Typed reads of JSON values (numbers or strings). */
export const json = {
  text(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return parseText(String(value));
    return null;
  },
  id(path: string, value: unknown): string | null {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string' && typeof value !== 'number') throw new RowError(`${path}: not an id`);
    return wrap(path, () => parseId(value));
  },
  decimal(path: string, value: unknown): string | null {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string' && typeof value !== 'number') throw new RowError(`${path}: not a number`);
    return wrap(path, () => parseDecimal(value));
  },
  integer(path: string, value: unknown): number | null {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string' && typeof value !== 'number') throw new RowError(`${path}: not a number`);
    return wrap(path, () => parseInteger(value));
  },
  boolean(path: string, value: unknown): boolean | null {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string' && typeof value !== 'boolean') throw new RowError(`${path}: not a yes/no value`);
    return wrap(path, () => parseBoolean(value));
  },
  timestamp(path: string, value: unknown): string | null {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string') throw new RowError(`${path}: not a timestamp`);
    return wrap(path, () => parseTimestamp(value));
  },
  date(path: string, value: unknown): string | null {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string' && typeof value !== 'number') throw new RowError(`${path}: not a date`);
    return wrap(path, () => parseDate(String(value)));
  },
  need<T>(path: string, value: T | null | undefined): T {
    if (value === null || value === undefined) throw new RowError(`${path} is empty`);
    return value;
  },
  object(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  },
  array(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
  },
};

/** `Cancelled` (reports) and `CANCELLED` (Orders 2026) -> `Canceled` (Orders API). */
export function orderStatusOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.replace(/[\s_-]/g, '').toLowerCase();
  const map: Record<string, string> = {
    pending: 'Pending',
    unshipped: 'Unshipped',
    partiallyshipped: 'PartiallyShipped',
    shipped: 'Shipped',
    shipping: 'Shipping',
    cancelled: 'Canceled',
    canceled: 'Canceled',
    unfulfillable: 'Unfulfillable',
    invoiceunconfirmed: 'InvoiceUnconfirmed',
    pendingavailability: 'PendingAvailability',
  };
  const status = map[v];
  if (!status) throw new RowError('order-status: unknown status');
  return status;
}

/** `Amazon`/`AFN` -> AFN, `Merchant`/`MFN`/`Seller` -> MFN. */
export function fulfillmentChannelOf(value: string | null | undefined): 'AFN' | 'MFN' | null {
  if (!value) return null;
  const v = value.toLowerCase();
  if (v === 'amazon' || v === 'afn') return 'AFN';
  if (v === 'merchant' || v === 'mfn' || v === 'seller') return 'MFN';
  throw new RowError('fulfillment-channel: unknown channel');
}
