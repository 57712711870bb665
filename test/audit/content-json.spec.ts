// The audit writer hashes `contentJson`, written without the content object; `audit verify`
// recomputes hashes over `canonicalJson(contentOf(...))`. Both must give the same bytes for every
// record, or a freshly written chain would fail verification.
import fc from 'fast-check';
import { contentJson, contentOf, normalizeEntry, type AuditEntry } from '../../src/audit/audit-entry';
import { canonicalJson } from '../../src/audit/canonical';

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('', 'token:abc', '\u0000x', '\uD800'));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const list = fc.array(text, { maxLength: 6 });

const ALWAYS = [
  'timestamp', 'requestId', 'principalId', 'principalKind', 'principalRole', 'purpose', 'clientName', 'clientVersion', 'sourceIp', 'userAgent',
  'operationType', 'operationName', 'documentHash', 'variables', 'fields', 'categories', 'masked', 'denied', 'rowsByCategory', 'outcome',
  'errorCodes', 'durationMs', 'policyVersion',
] as const;

const entries: fc.Arbitrary<AuditEntry> = fc.record(
  {
    timestamp: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
    requestId: text,
    principalId: maybe(text),
    principalKind: maybe(text),
    principalRole: maybe(text),
    purpose: maybe(text),
    clientName: maybe(text),
    clientVersion: maybe(text),
    sourceIp: maybe(text),
    userAgent: maybe(text),
    operationType: maybe(text),
    operationName: maybe(text),
    documentHash: maybe(fc.oneof(text, fc.constant(`${'a'.repeat(60)}    `))),
    document: fc.option(text, { nil: undefined }),
    variables: maybe(fc.dictionary(text, fc.jsonValue())),
    fields: list,
    categories: list,
    masked: list,
    denied: list,
    rowsByCategory: fc.dictionary(text, fc.oneof(fc.integer(), fc.double())),
    outcome: fc.constantFrom('ok', 'partial', 'denied', 'invalid', 'refused', 'error'),
    errorCodes: list,
    durationMs: fc.oneof(fc.integer(), fc.double()),
    policyVersion: maybe(text),
    servedBy: fc.option(fc.oneof(text, fc.constant(null)), { nil: undefined }),
    purposes: fc.option(fc.oneof(list, fc.constant(null)), { nil: undefined }),
  },
  // The optional members are sometimes absent, sometimes present and undefined.
  { requiredKeys: [...ALWAYS] },
) as fc.Arbitrary<AuditEntry>;

describe('contentJson (the audit writer\'s canonical JSON)', () => {
  it('gives the bytes of canonicalJson(contentOf(...)) for any entry, normalized or not', () => {
    fc.assert(
      fc.property(entries, fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), (entry, id, prevHash) => {
        for (const candidate of [entry, normalizeEntry(entry)]) {
          const { document: _document, ...content } = candidate;
          expect(contentJson(candidate, id.toString(), prevHash)).toBe(canonicalJson(contentOf({ ...content, id: id.toString(), prevHash })));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves out servedBy and purposes when they are not set, as records from before those columns hash', () => {
    const entry = normalizeEntry({
      timestamp: new Date('2026-12-02T10:00:00.000Z'), requestId: 'r1', principalId: null, principalKind: null, principalRole: null, purpose: null,
      clientName: null, clientVersion: null, sourceIp: null, userAgent: null, operationType: 'query', operationName: null, documentHash: null,
      variables: null, fields: ['Query.me'], categories: [], masked: [], denied: [], rowsByCategory: {}, outcome: 'ok', errorCodes: [], durationMs: 1,
      policyVersion: 'v1', servedBy: null, purposes: [],
    });
    const json = contentJson(entry, '7', '0'.repeat(64));
    expect(JSON.parse(json)).not.toHaveProperty('servedBy');
    expect(JSON.parse(json)).not.toHaveProperty('purposes');
    expect(Object.keys(JSON.parse(json))).toEqual(Object.keys(JSON.parse(json)).sort());
  });
});
