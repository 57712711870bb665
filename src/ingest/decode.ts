// Bytes in, text out, streaming: SHA-256 of the raw bytes, gzip unwrapped, encoding chosen
// (FORMATS.md §0: BOM -> UTF-8/16; valid UTF-8 -> UTF-8; else cp1252 for NA/EU, cp932 for JP;
// chardet only as a hint), binary and spreadsheet files refused with a clear message.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { analyse } from 'chardet';
import iconv from 'iconv-lite';
import { ImportError } from './import-error';
import type { KnownMarketplace } from './marketplaces';

const SAMPLE_BYTES = 256 * 1024;

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'cp1252' | 'cp932';

const ALIASES: Record<string, TextEncoding> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  utf16le: 'utf16le',
  'utf-16le': 'utf16le',
  'utf-16': 'utf16le',
  utf16be: 'utf16be',
  'utf-16be': 'utf16be',
  cp1252: 'cp1252',
  'windows-1252': 'cp1252',
  latin1: 'cp1252',
  'iso-8859-1': 'cp1252',
  cp932: 'cp932',
  'windows-31j': 'cp932',
  shift_jis: 'cp932',
  'shift-jis': 'cp932',
  sjis: 'cp932',
};

/** `--encoding` values accepted (case-insensitive). */
export function normalizeEncoding(name: string): TextEncoding {
  const encoding = ALIASES[name.trim().toLowerCase()];
  if (!encoding) throw new ImportError('ENCODING', `Unknown encoding "${name}": use utf-8, cp1252 (windows-1252) or cp932 (shift_jis)`);
  return encoding;
}

export interface EncodingChoice {
  encoding: TextEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
  reason: string;
}

function isValidUtf8Prefix(sample: Buffer, complete: boolean): boolean {
  try {
    // `stream: true` tolerates a multi-byte character cut at the end of a partial sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** Picks the encoding of a file from its first bytes. */
export function chooseEncoding(sample: Buffer, options: { encoding?: string; marketplace?: KnownMarketplace; complete: boolean }): EncodingChoice {
  const bomLength = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf ? 3 : 0;
  if (options.encoding) {
    const encoding = normalizeEncoding(options.encoding);
    const skip = encoding === 'utf8' ? bomLength : (encoding === 'utf16le' && sample[0] === 0xff && sample[1] === 0xfe) || (encoding === 'utf16be' && sample[0] === 0xfe && sample[1] === 0xff) ? 2 : 0;
    return { encoding, bomLength: skip, reason: 'given' };
  }
  if (bomLength) return { encoding: 'utf8', bomLength, reason: 'UTF-8 byte-order mark' };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2, reason: 'UTF-16 byte-order mark' };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf16be', bomLength: 2, reason: 'UTF-16 byte-order mark' };
  if (isValidUtf8Prefix(sample, options.complete)) return { encoding: 'utf8', bomLength: 0, reason: 'valid UTF-8' };
  if (options.marketplace) {
    return { encoding: options.marketplace.legacyEncoding, bomLength: 0, reason: `not UTF-8; ${options.marketplace.countryCode} marketplace` };
  }
  // No marketplace to go by: chardet's guess decides between Japanese and Western files.
  const guesses = analyse(sample);
  const japanese = guesses.find((g) => /shift_jis|euc-jp|iso-2022-jp/i.test(g.name));
  const western = guesses.find((g) => /windows-125|iso-8859/i.test(g.name));
  if (japanese && (!western || japanese.confidence >= western.confidence)) {
    return { encoding: 'cp932', bomLength: 0, reason: 'not UTF-8; looks Japanese' };
  }
  return { encoding: 'cp1252', bomLength: 0, reason: 'not UTF-8; assumed Windows-1252' };
}

function looksBinary(sample: Buffer, encoding: TextEncoding): boolean {
  if (encoding === 'utf16le' || encoding === 'utf16be') return false;
  const n = Math.min(sample.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = sample[i];
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return n > 0 && control / n > 0.02;
}

function refuseKnownBinaries(sample: Buffer): void {
  if (sample.length >= 4 && sample.readUInt32BE(0) === 0x504b0304) {
    throw new ImportError('UNSUPPORTED_FORMAT', 'This is a ZIP/XLSX file: export the report as tab-delimited text (or CSV for Amazon Ads) and import that; nothing was imported');
  }
  if (sample.subarray(0, 5).toString('latin1') === '%PDF-') throw new ImportError('BINARY_FILE', 'This is a PDF file, not a report: nothing was imported');
  if (sample.length >= 8 && sample.readUInt32BE(0) === 0xd0cf11e0) {
    throw new ImportError('UNSUPPORTED_FORMAT', 'This is an old Excel (.xls) file: export the report as tab-delimited text and import that; nothing was imported');
  }
}

export interface DecodedText {
  choice: EncodingChoice;
  compressed: boolean;
  /** First characters of the text (for format sniffing), without BOM. */
  head: string;
  /** All decoded text, in chunks (the head included). */
  chunks: AsyncIterable<string>;
  /** SHA-256 (hex) and size of the raw bytes; complete once `chunks` has been consumed. */
  digest(): { sha256: string; bytes: number };
  /** Raw bytes read so far (progress). */
  bytesRead(): number;
}

async function readSample(iterator: AsyncIterator<Buffer>, min: number): Promise<{ sample: Buffer; done: boolean; parts: Buffer[] }> {
  const parts: Buffer[] = [];
  let size = 0;
  while (size < min) {
    const next = await iterator.next();
    if (next.done) return { sample: Buffer.concat(parts), done: true, parts };
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    parts.push(chunk);
    size += chunk.length;
  }
  return { sample: Buffer.concat(parts), done: false, parts };
}

function decoderFor(choice: EncodingChoice): { write(b: Buffer): string; end(): string } {
  if (choice.encoding === 'utf8') {
    // Fatal: a byte that is not UTF-8 later in the file stops the import instead of storing U+FFFD.
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return { write: (b) => decoder.decode(b, { stream: true }), end: () => decoder.decode() };
  }
  const decoder = iconv.getDecoder(choice.encoding, { stripBOM: false });
  return { write: (b) => decoder.write(b), end: () => decoder.end() ?? '' };
}

/**
 * Opens a byte stream as text. Reads a sample first (encoding, binary check, gzip), then streams
 * the rest through the decoder without holding the file in memory.
 */
export async function openText(input: Readable, options: { encoding?: string; marketplace?: KnownMarketplace } = {}): Promise<DecodedText> {
  const hash = createHash('sha256');
  let digestHex: string | undefined;
  let bytes = 0;
  async function* raw(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of input) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        hash.update(buffer);
        bytes += buffer.length;
        yield buffer;
      }
    } catch {
      // An upload cut off or a disk error: the file as a whole is not there.
      throw new ImportError('ABORTED', `The file could not be read to the end (stopped after ${bytes} bytes): nothing was imported`);
    }
  }
  let rawIterator: AsyncIterator<Buffer> = raw();
  let first = await readSample(rawIterator, SAMPLE_BYTES);
  if (first.sample.length === 0) throw new ImportError('EMPTY_FILE', 'The file is empty: nothing was imported');

  let compressed = false;
  if (first.sample[0] === 0x1f && first.sample[1] === 0x8b) {
    compressed = true;
    const rest = rawIterator;
    const replay = first.parts;
    async function* again(): AsyncGenerator<Buffer> {
      yield* replay;
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        yield next.value;
      }
    }
    const gunzip = createGunzip();
    const compressedBytes = Readable.from(again());
    compressedBytes.on('error', (error) => gunzip.destroy(error));
    compressedBytes.pipe(gunzip);
    async function* inflated(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of gunzip) yield chunk as Buffer;
      } catch (error) {
        if (error instanceof ImportError) throw error;
        throw new ImportError('TRUNCATED', 'The compressed file is damaged or cut short: nothing was imported');
      }
    }
    rawIterator = inflated();
    first = await readSample(rawIterator, SAMPLE_BYTES);
    if (first.sample.length === 0) throw new ImportError('EMPTY_FILE', 'The file is empty: nothing was imported');
  }

  refuseKnownBinaries(first.sample);
  const choice = chooseEncoding(first.sample, { ...options, complete: first.done });
  if (looksBinary(first.sample, choice.encoding)) throw new ImportError('BINARY_FILE', 'This is a binary file, not a text report: nothing was imported');

  const decoder = decoderFor(choice);
  let offset = 0;
  const decode = (buffer: Buffer): string => {
    try {
      const text = decoder.write(buffer);
      offset += buffer.length;
      return text;
    } catch {
      throw new ImportError('ENCODING', `The file is not valid ${choice.encoding === 'utf8' ? 'UTF-8' : choice.encoding} after byte ${offset}: name its encoding with --encoding (e.g. cp1252 or cp932)`);
    }
  };
  const finish = (): string => {
    try {
      return decoder.end();
    } catch {
      throw new ImportError('TRUNCATED', 'The file ends in the middle of a character: it looks cut short; nothing was imported');
    }
  };

  const sampleBody = first.sample.subarray(choice.bomLength);
  const headText = decode(sampleBody);
  const remaining = rawIterator;
  const done = first.done;
  async function* chunks(): AsyncGenerator<string> {
    if (headText) yield headText;
    if (!done) {
      for (;;) {
        const next = await remaining.next();
        if (next.done) break;
        const text = decode(next.value);
        if (text) yield text;
      }
    }
    const tail = finish();
    if (tail) yield tail;
  }
  return {
    choice,
    compressed,
    head: headText.replace(/^\uFEFF/, ''),
    chunks: chunks(),
    bytesRead: () => bytes,
    digest: () => {
      digestHex ??= hash.digest('hex');
      return { sha256: digestHex, bytes };
    },
  };
}
