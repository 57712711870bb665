// Canonical JSON is what every audit record's hash is computed over, by the writer and by
// `audit verify`: the same content must give the same bytes whatever order its keys came in.
import fc from 'fast-check';
import { canonicalJson } from '../../src/audit/canonical';

/**
 * Canonical JSON written the plain way: keys sorted at every depth (code-unit order, as `sort`
 * compares). Records already in the chain were hashed over this form.
 */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${reference((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function shuffledKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, index) => shuffledKeys(item, seed + index));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 ? 1 : -1));
    return Object.fromEntries(entries.map(([key, item]) => [key, shuffledKeys(item, seed + 1)]));
  }
  return value;
}

describe('canonical JSON', () => {
  it('is JSON with the keys of every object sorted (integer-like keys too), whatever order they came in', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 1000 }), (value, seed) => {
        const expected = reference(value);
        expect(canonicalJson(value)).toBe(expected);
        expect(canonicalJson(shuffledKeys(value, seed))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('writes dates as ISO strings, big integers as strings, and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1n, a: new Date('2026-01-02T03:04:05.678Z'), c: undefined, d: [undefined, Number.NaN, Infinity], e: null })).toBe(
      '{"a":"2026-01-02T03:04:05.678Z","b":"1","d":[null,null,null],"e":null}',
    );
    expect(canonicalJson({ 'é': 1, Z: 2, a: 3, '': 4 })).toBe('{"":4,"Z":2,"a":3,"é":1}');
  });
});
