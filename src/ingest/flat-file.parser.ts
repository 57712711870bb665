// Streaming readers for flat files: Seller Central TAB files (no quoting: a `"` in a title is a
// literal character), and the comma-separated Amazon Ads console exports (quoted, `="..."` ids).
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ImportError } from './import-error';

export interface TextLine {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  text: string;
  /** False only for a last line without a line break. */
  terminated: boolean;
}

/** Splits decoded text into lines; accepts LF and CRLF. */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<TextLine> {
  let carry = '';
  let line = 0;
  for await (const chunk of chunks) {
    const text = carry + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      line++;
      yield { line, text: text.slice(start, end), terminated: true };
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) {
    if (carry.endsWith('\r')) carry = carry.slice(0, -1);
    line++;
    yield { line, text: carry, terminated: false };
  }
}

export interface RawRecord {
  line: number;
  cells: string[];
}

export interface FlatFile {
  header: string[];
  headerLine: number;
  rows: AsyncIterable<RawRecord>;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/**
 * TAB-separated rows after the header. Short rows are padded by the reader (missing trailing
 * cells read as ''); a last line cut short (no line break, fewer cells than the header) means the
 * file was truncated.
 */
export async function readTsv(chunks: AsyncIterable<string>): Promise<FlatFile> {
  const lines = splitLines(chunks);
  let headerLine: TextLine | undefined;
  for (;;) {
    const next = await lines.next();
    if (next.done) break;
    if (!isBlank(next.value.text)) {
      headerLine = next.value;
      break;
    }
  }
  if (!headerLine) throw new ImportError('EMPTY_FILE', 'The file holds no header line (only blank lines): nothing was imported');
  const header = headerLine.text.split('\t');
  const width = header.length;
  async function* rows(): AsyncGenerator<RawRecord> {
    for (;;) {
      const next = await lines.next();
      if (next.done) return;
      const { line, text, terminated } = next.value;
      if (isBlank(text)) continue;
      const cells = text.split('\t');
      if (!terminated && cells.length < width) {
        throw new ImportError('TRUNCATED', `The file ends in the middle of line ${line} (${cells.length} of ${width} columns, no line break): it looks cut short; nothing was imported`);
      }
      yield { line, cells };
    }
  }
  return { header, headerLine: headerLine.line, rows: rows() };
}

/** Comma-separated Ads console exports: quoted cells, BOM already removed by the decoder. */
export async function readCsv(chunks: AsyncIterable<string>): Promise<FlatFile> {
  const parser = Readable.from(chunks).pipe(
    parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }),
  );
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw new ImportError('UNSUPPORTED_FORMAT', `The CSV header cannot be read (${(error as Error).message.split(':')[0]}): nothing was imported`);
  }
  if (first.done) throw new ImportError('EMPTY_FILE', 'The file holds no header line: nothing was imported');
  const header = first.value.record;
  async function* rows(): AsyncGenerator<RawRecord> {
    for (;;) {
      let next: IteratorResult<{ record: string[]; info: { lines: number } }>;
      try {
        next = await iterator.next();
      } catch (error) {
        if (error instanceof ImportError) throw error;
        const code = (error as { code?: string }).code ?? 'CSV error';
        throw new ImportError('TRUNCATED', `The CSV file cannot be read to the end (${code}): it may be cut short; nothing was imported`);
      }
      if (next.done) return;
      yield { line: next.value.info.lines, cells: next.value.record };
    }
  }
  return { header, headerLine: first.value.info.lines, rows: rows() };
}
