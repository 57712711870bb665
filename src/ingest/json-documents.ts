// JSON inputs: API responses (one document) and connector exports (JSON Lines of
// `{ stream, data }` records). Personal data paths present in a document are reported by name.
import { ImportError } from './import-error';

/** Largest JSON document read whole (API responses are pages of at most a few MB). */
export const MAX_JSON_DOCUMENT_CHARS = 200 * 1024 * 1024;

export async function readAll(chunks: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > MAX_JSON_DOCUMENT_CHARS) throw new ImportError('UNSUPPORTED_FORMAT', 'The JSON document is larger than 200 MB: split it into pages');
    parts.push(chunk);
  }
  return parts.join('');
}

export function parseJsonDocument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const truncated = /end of (JSON )?input|Unterminated/i.test((error as Error).message);
    throw new ImportError(
      truncated ? 'TRUNCATED' : 'INVALID_JSON',
      truncated ? 'The JSON document ends too early: the file looks cut short; nothing was imported' : 'The file is not valid JSON: nothing was imported',
    );
  }
}

/**
 * Dotted paths (array indexes left out) of non-empty values whose path ends with one of the
 * patterns, e.g. `BuyerInfo.BuyerEmail`. Values are never returned.
 */
export function personalPaths(doc: unknown, patterns: readonly string[]): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, path: string[]): void => {
    if (value === null || value === undefined || value === '') return;
    const dotted = path.join('.');
    const hit = patterns.find((p) => dotted === p || dotted.endsWith(`.${p}`));
    if (hit) {
      found.add(hit);
      return;
    }
    if (Array.isArray(value)) value.forEach((v) => walk(v, path));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(doc, []);
  return [...found].sort();
}
