/**
 * Streaming input for loaders: plain or gzip files (detected by magic bytes),
 * decoded as UTF-8 or latin-1, delivered chunk by chunk or line by line so a
 * 1 GB file never needs 1 GB of strings. Every failure becomes a DataError
 * naming the file (and line where known): a missing file, an unreadable one, a
 * truncated or corrupt gzip stream.
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DataError } from '../errors.js';

export type TextEncoding = 'utf8' | 'latin1';

function openStream(file: string, encoding: TextEncoding): { stream: Readable; gz: boolean } {
  let st;
  try { st = statSync(file); } catch { throw new DataError(file, null, 'no such file'); }
  if (st.isDirectory()) throw new DataError(file, null, 'expected a file, found a directory');
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try { readSync(fd, head, 0, 2, 0); } finally { closeSync(fd); }
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let stream: Readable = raw;
  if (gz) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    stream = gunzip;
  }
  stream.setEncoding(encoding);
  return { stream, gz };
}

/**
 * Calls onChunk with decoded text pieces. `lineOf()` is passed to the error
 * mapper so stream failures can name the line reached so far.
 */
export async function readChunks(file: string, onChunk: (text: string) => void,
  opts: { encoding?: TextEncoding; lineOf?: () => number } = {}): Promise<void> {
  const { stream, gz } = openStream(file, opts.encoding ?? 'utf8');
  try {
    for await (const chunk of stream) onChunk(chunk as string);
  } catch (e) {
    if (e instanceof DataError) throw e;
    const msg = (e as Error).message;
    const line = opts.lineOf ? opts.lineOf() + 1 : null;
    if (gz) throw new DataError(file, line, `truncated or corrupt gzip data (${msg})`);
    throw new DataError(file, null, `cannot read (${msg})`);
  } finally {
    stream.destroy();
  }
}

/**
 * Calls onLine(line, lineNumber) for each line (1-based; CR of CRLF and a
 * leading UTF-8 BOM removed; a last line without newline included). Returns
 * the number of lines.
 */
export async function readLines(file: string, onLine: (line: string, no: number) => void,
  opts: { encoding?: TextEncoding } = {}): Promise<number> {
  let rest = '', no = 0;
  const emit = (line: string) => {
    if (line.length && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    no++;
    if (no === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    onLine(line, no);
  };
  await readChunks(file, (chunk) => {
    const s = rest.length ? rest + chunk : chunk;
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl < 0) break;
      emit(s.slice(start, nl));
      start = nl + 1;
    }
    rest = s.slice(start);
  }, { encoding: opts.encoding, lineOf: () => no });
  if (rest.length) emit(rest);
  return no;
}

/** Parses a finite number or throws a DataError naming the field. */
export function parseNumber(s: string, file: string, line: number, what: string): number {
  const t = s.trim();
  const x = t === '' ? NaN : Number(t);
  if (!Number.isFinite(x)) throw new DataError(file, line, `expected a number for ${what}, got "${s.length > 40 ? s.slice(0, 40) + '...' : s}"`);
  return x;
}
