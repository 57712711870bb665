// What an audit record holds, how it is normalized before hashing (lengths of the columns,
// no NUL characters), and the hash of its canonical content.
import type { AuditOutcome, AuditRecord } from '../../entities/gateway/audit-record.entity';
import { canonicalJson, sha256Hex } from './canonical';

export type { AuditOutcome };
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'partial', 'denied', 'invalid', 'refused', 'error'];

/** One operation to record, as the plugin (or an HTTP refusal) describes it. */
export interface AuditEntry {
  timestamp: Date;
  requestId: string;
  principalId: string | null;
  principalKind: string | null;
  principalRole: string | null;
  purpose: string | null;
  clientName: string | null;
  clientVersion: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  operationType: string | null;
  operationName: string | null;
  documentHash: string | null;
  /** Stored once per hash in audit_document (already redacted); not part of the record's hash. */
  document?: string | null;
  variables: Record<string, unknown> | null;
  fields: string[];
  categories: string[];
  masked: string[];
  denied: string[];
  rowsByCategory: Record<string, number>;
  outcome: AuditOutcome;
  errorCodes: string[];
  durationMs: number;
  policyVersion: string | null;
  /**
   * The subgraph that served (or refused) the request in a federated deployment; null at the
   * gateway. Its record is linked to the gateway's by the request id (`audit verify` checks it).
   */
  servedBy?: string | null;
  /**
   * Every purpose the operation's root fields act under, when they declared their own
   * (`@purpose`; the others under `purpose`); a refused operation names those it declared. Null
   * otherwise (`purpose` then says it all). Sorted.
   */
  purposes?: string[] | null;
}

/** The hashed content: every column except `hash`. */
export type AuditContent = Omit<AuditEntry, 'document'> & { id: string; prevHash: string };

const LENGTHS: Partial<Record<keyof AuditEntry, number>> = {
  requestId: 100,
  principalId: 200,
  principalKind: 8,
  principalRole: 64,
  purpose: 40,
  clientName: 100,
  clientVersion: 100,
  sourceIp: 64,
  userAgent: 300,
  operationType: 16,
  operationName: 200,
  documentHash: 64,
  policyVersion: 80,
  servedBy: 64,
};

// A lone UTF-16 surrogate cannot be stored (PostgreSQL text is UTF-8; jsonb refuses it): it is
// replaced by U+FFFD before hashing, so what is hashed is what is stored.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Any NUL or surrogate at all: text without one (nearly all) is returned as it is.
const NEEDS_CLEANING = /[\u0000\uD800-\uDFFF]/;

function clean(text: string): string {
  return NEEDS_CLEANING.test(text) ? text.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\uFFFD') : text;
}

function cleanDeep(value: unknown): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map(cleanDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [clean(k), cleanDeep(v)]));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** Normalized lists of the lists that are shared between requests (a document's fields), by identity. */
const normalizedLists = new WeakMap<readonly string[], string[]>();

function normalizeList(list: readonly string[]): string[] {
  const cached = normalizedLists.get(list);
  if (cached) return cached;
  const normalized = [...new Set(list.map(clean))].sort();
  // Only a list that is not modified afterwards may be reused: frozen ones (the cached documents').
  if (Object.isFrozen(list)) normalizedLists.set(list, Object.freeze(normalized) as string[]);
  return normalized;
}

/** Fits an entry to its columns so that what is hashed is exactly what is stored. */
const LENGTH_ENTRIES = Object.entries(LENGTHS) as [keyof AuditEntry, number][];

export function normalizeEntry(entry: AuditEntry): AuditEntry {
  const normalized: AuditEntry = { ...entry };
  for (const [key, length] of LENGTH_ENTRIES) {
    const value = normalized[key];
    if (typeof value === 'string') (normalized as unknown as Record<string, unknown>)[key] = clean(value).slice(0, length);
  }
  normalized.requestId ??= 'unknown';
  normalized.timestamp = new Date(Math.floor(entry.timestamp.getTime()));
  normalized.variables = entry.variables ? (JSON.parse(JSON.stringify(cleanDeep(entry.variables))) as Record<string, unknown>) : null;
  for (const key of ['fields', 'categories', 'masked', 'denied', 'errorCodes'] as const) {
    normalized[key] = normalizeList(entry[key]);
  }
  normalized.purposes = entry.purposes?.length ? [...new Set(entry.purposes.map((purpose) => clean(purpose).slice(0, 40)))].sort() : null;
  const rowsByCategory: Record<string, number> = {};
  for (const category of Object.keys(entry.rowsByCategory)) {
    const rows = entry.rowsByCategory[category];
    if (Number.isFinite(rows)) rowsByCategory[clean(category)] = Math.trunc(rows);
  }
  normalized.rowsByCategory = rowsByCategory;
  normalized.durationMs = Math.max(0, Math.min(2_147_483_647, Math.round(entry.durationMs)));
  return normalized;
}

export function contentOf(record: AuditRecord | AuditContent): AuditContent {
  return {
    id: String(record.id),
    timestamp: new Date(record.timestamp),
    requestId: record.requestId,
    principalId: record.principalId,
    principalKind: record.principalKind,
    principalRole: record.principalRole,
    purpose: record.purpose,
    clientName: record.clientName,
    clientVersion: record.clientVersion,
    sourceIp: record.sourceIp,
    userAgent: record.userAgent,
    operationType: record.operationType,
    operationName: record.operationName,
    documentHash: record.documentHash === null ? null : record.documentHash.trim(),
    variables: record.variables,
    fields: record.fields,
    categories: record.categories,
    masked: record.masked,
    denied: record.denied,
    rowsByCategory: record.rowsByCategory,
    outcome: record.outcome,
    errorCodes: record.errorCodes,
    durationMs: record.durationMs,
    policyVersion: record.policyVersion,
    // Only in the content when set: records from before the column hash as they did.
    ...(record.servedBy ? { servedBy: record.servedBy } : {}),
    // Likewise: only records of operations with per-root purposes hold it.
    ...(record.purposes?.length ? { purposes: record.purposes } : {}),
    prevHash: record.prevHash.trim(),
  };
}

// The content's keys in canonical (code-unit) order, each written once as JSON.
const CONTENT_KEYS = (
  [
    'id', 'timestamp', 'requestId', 'principalId', 'principalKind', 'principalRole', 'purpose', 'clientName', 'clientVersion', 'sourceIp',
    'userAgent', 'operationType', 'operationName', 'documentHash', 'variables', 'fields', 'categories', 'masked', 'denied', 'rowsByCategory',
    'outcome', 'errorCodes', 'durationMs', 'policyVersion', 'servedBy', 'purposes', 'prevHash',
  ] satisfies (keyof AuditContent)[]
)
  .sort()
  .map((key) => ({ key, json: `${JSON.stringify(key)}:` }));

/**
 * `canonicalJson(contentOf({ ...entry, id, prevHash }))` written directly, without the content
 * object or a sort of its keys: the writer's form, on the request path of every audited request
 * (test/audit/content-json.spec.ts checks it against that form). `audit verify` uses the plain one.
 */
export function contentJson(entry: Omit<AuditEntry, 'document'>, id: string, prevHash: string): string {
  let out = '{';
  for (const { key, json } of CONTENT_KEYS) {
    let value: unknown;
    switch (key) {
      case 'id':
        value = id;
        break;
      case 'prevHash':
        value = prevHash.trim();
        break;
      case 'timestamp':
        value = new Date(entry.timestamp);
        break;
      case 'documentHash':
        value = entry.documentHash === null ? null : entry.documentHash.trim();
        break;
      case 'servedBy':
        value = entry.servedBy ? entry.servedBy : undefined;
        break;
      case 'purposes':
        value = entry.purposes?.length ? entry.purposes : undefined;
        break;
      default:
        value = entry[key];
    }
    if (value === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${json}${canonicalJson(value)}`;
  }
  return `${out}}`;
}

/** SHA-256 over the canonical JSON of a record's content. */
export function hashContent(content: AuditContent): string {
  return sha256Hex(canonicalJson(contentOf(content)));
}
