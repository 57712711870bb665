// What an export file holds: the rows of one GraphQL result, exactly as the GraphQL response
// carries them, after a watermark line naming the export. JSONL: one `JSON.stringify(row)` per
// line. CSV: one column per dotted path of the rows' JSON, values written as in that JSON.
import { stringify } from 'csv-stringify/sync';
import { neutralizeFormula } from '../csv-safe';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';

export enum ExportFormat {
  CSV = 'CSV',
  JSONL = 'JSONL',
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  [ExportFormat.CSV]: 'text/csv; charset=utf-8',
  [ExportFormat.JSONL]: 'application/x-ndjson; charset=utf-8',
};

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  [ExportFormat.CSV]: 'csv',
  [ExportFormat.JSONL]: 'jsonl',
};

/** Names the export inside the file; identifiers and policy facts only, never a data value. */
export interface ExportWatermark {
  id: string;
  format: ExportFormat;
  /** `<kind>:<id>` of the principal that made it. */
  principal: string;
  role: string;
  purpose: string | null;
  policyVersion: string;
  operationName: string | null;
  documentHash: string;
  rows: number;
  createdAt: string;
  expiresAt: string;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The rows of a result (docs/security.md, "Restricted exports"): the query selects one root field
 * (aliases allowed). A list is the rows; a connection's `nodes`, or its `edges`' `node`s, are the
 * rows; any other object with exactly one list field has that list's elements as rows.
 */
export function rowsOf(data: Record<string, unknown>): Record<string, Json>[] {
  const roots = Object.keys(data);
  if (roots.length !== 1) {
    throw badInput(`An export takes its rows from one root field; this query selects ${roots.length} (${roots.join(', ')})`);
  }
  const [root] = roots;
  const value = data[root] as Json;
  let list: Json[];
  let where = root;
  if (Array.isArray(value)) {
    list = value;
  } else if (isObject(value)) {
    const lists = Object.entries(value).filter(([, field]) => Array.isArray(field)) as [string, Json[]][];
    if (lists.length !== 1) {
      const found = lists.length === 0 ? 'none' : lists.map(([name]) => name).join(', ');
      throw badInput(`An export takes its rows from one list: select exactly one list field (e.g. nodes) under ${root}; found ${found}`);
    }
    const [name, items] = lists[0];
    where = `${root}.${name}`;
    list = name === 'edges' ? items.map((edge) => (isObject(edge) && 'node' in edge ? edge.node : edge)) : items;
  } else {
    throw badInput(`An export needs a list of rows; ${root} returned ${value === null ? 'null' : typeof value}`);
  }
  return list.map((row, index) => {
    if (!isObject(row)) throw badInput(`Row ${index} of ${where} is not an object: select the fields to export`);
    return row;
  });
}

/** Dotted paths of a row's JSON (nested objects flattened; lists and nulls are leaves). */
function pathsOf(row: Record<string, Json>, prefix: string, into: Set<string>): void {
  for (const [key, value] of Object.entries(row)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) pathsOf(value, path, into);
    else into.add(path);
  }
}

/** The CSV columns: every dotted path in the order first met; a path is dropped when its children are columns. */
export function columnsOf(rows: Record<string, Json>[]): string[] {
  const paths = new Set<string>();
  for (const row of rows) pathsOf(row, '', paths);
  const all = [...paths];
  return all.filter((path) => !all.some((other) => other.startsWith(`${path}.`)));
}

function valueAt(row: Record<string, Json>, path: string): Json | undefined {
  let value: Json | undefined = row;
  for (const key of path.split('.')) {
    if (!isObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

/**
 * A CSV cell: strings as they are, numbers and booleans as their JSON text, lists as JSON, null
 * empty; never a spreadsheet formula (src/csv-safe.ts).
 */
export function csvCell(value: Json | undefined): string {
  if (value === null || value === undefined) return '';
  return neutralizeFormula(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * A watermark value in the CSV comment line: as it is, or as a JSON string when it holds
 * whitespace, a control character or a quote (a policy version label may hold any text, and a
 * line break would start a row of the CSV).
 */
function watermarkValue(value: string | number | null): string {
  const text = String(value ?? '');
  return /[\s"\p{Cc}]/u.test(text) ? JSON.stringify(text) : text;
}

export function watermarkLine(format: ExportFormat, watermark: ExportWatermark): string {
  if (format === ExportFormat.JSONL) return JSON.stringify({ sellergateExport: watermark });
  const facts = Object.entries(watermark)
    .filter(([key]) => key !== 'format')
    .map(([key, value]) => `${key}=${watermarkValue(value as string | number | null)}`);
  return `# sellergate export ${facts.join(' ')}`;
}

/**
 * Builds an export file page by page: JSONL rows are serialized as they arrive (the row objects
 * of a page are not kept); CSV rows are kept until `finish`, as the columns depend on them all.
 */
export class ExportFileBuilder {
  private readonly lines: string[] = [];
  private readonly records: Record<string, Json>[] = [];
  /** Rows added so far. */
  rows = 0;

  constructor(readonly format: ExportFormat) {}

  add(rows: Record<string, Json>[]): void {
    if (this.format === ExportFormat.JSONL) for (const row of rows) this.lines.push(`${JSON.stringify(row)}\n`);
    else for (const row of rows) this.records.push(row);
    this.rows += rows.length;
  }

  /** The file's text: the watermark line, then the rows (each line ends with `\n`). */
  finish(watermark: ExportWatermark): string {
    const head = `${watermarkLine(this.format, watermark)}\n`;
    if (this.format === ExportFormat.JSONL) return head + this.lines.join('');
    const columns = columnsOf(this.records);
    if (columns.length === 0) return head;
    const records = this.records.map((row) => columns.map((column) => csvCell(valueAt(row, column))));
    return head + stringify([columns.map(neutralizeFormula), ...records], { record_delimiter: '\n' });
  }
}

/** The file's text: the watermark line, then the rows (each line ends with `\n`). */
export function renderExport(format: ExportFormat, rows: Record<string, Json>[], watermark: ExportWatermark): string {
  const builder = new ExportFileBuilder(format);
  builder.add(rows);
  return builder.finish(watermark);
}
