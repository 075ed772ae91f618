/**
 * Versioned binary checkpoints.
 *
 * Layout (all integers little-endian, every section 8-byte aligned):
 *
 *   0   magic "DPGCNCK1"                 8 bytes
 *   8   format version                   u32 (= FORMAT_VERSION; 1 had float32/int32 only)
 *   12  header JSON byte length          u32
 *   16  total file length                u64
 *   24  tensor count                     u32
 *   28  reserved                         u32 (0)
 *   32  header JSON (UTF-8), padded with spaces to 8 bytes
 *       tensor data, each at the absolute offset the header names, padded to 8
 *   L-8 CRC32 of bytes [0, L-8)          u32
 *   L-4 reserved                         u32 (0)
 *
 * The header is {"meta": <anything JSON>, "tensors": [{name, dtype, shape,
 * offset}]}: a directory up front (as in safetensors) lets the loader check
 * every tensor's bounds before touching data. The checksum sits at the end of
 * the file rather than at a declared offset, so a damaged length field still
 * reads as a checksum failure instead of sending the reader elsewhere.
 */

import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { endianness } from 'node:os';
import * as zlib from 'node:zlib';
import { DpgcnError, UserError } from '../errors.js';

export const MAGIC = 'DPGCNCK1';
export const FORMAT_VERSION = 2;
/** Oldest container version this reader still accepts (version 1 is version 2 without the float64/uint8 dtypes). */
export const MIN_FORMAT_VERSION = 1;
const FIXED = 32;
const TRAILER = 8;

export type TensorData = Float32Array | Int32Array | Float64Array | Uint8Array;
export type Dtype = 'float32' | 'int32' | 'float64' | 'uint8';
const DTYPES: Record<Dtype, { size: number; make(b: ArrayBuffer): TensorData }> = {
  float32: { size: 4, make: (b) => new Float32Array(b) },
  int32: { size: 4, make: (b) => new Int32Array(b) },
  float64: { size: 8, make: (b) => new Float64Array(b) },
  uint8: { size: 1, make: (b) => new Uint8Array(b) },
};
function dtypeOf(d: TensorData): Dtype | null {
  if (d instanceof Float32Array) return 'float32';
  if (d instanceof Int32Array) return 'int32';
  if (d instanceof Float64Array) return 'float64';
  if (d instanceof Uint8Array) return 'uint8';
  return null;
}
export interface CheckpointTensor { shape: number[]; data: TensorData }
export interface Checkpoint<M = unknown> { meta: M; tensors: Record<string, CheckpointTensor> }

interface DirEntry { name: string; dtype: Dtype; shape: number[]; offset: number }

// CRC32 (IEEE 802.3, reflected, as zlib/PNG). Own table so Node 20 releases
// before 20.15, which lack zlib.crc32, work too.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Table-driven CRC32 of bytes; pass a previous result as `crc` to continue a running checksum. */
export function crc32Js(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// zlib's native crc32 (Node >= 20.15) is an order of magnitude faster on large
// checkpoints; both give the same value, which a test checks.
const zlibCrc = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC32 (IEEE) of bytes, natively when this Node has zlib.crc32. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  return zlibCrc ? zlibCrc(bytes, crc) >>> 0 : crc32Js(bytes, crc);
}

const pad8 = (n: number): number => (n + 7) & ~7;
const LITTLE = endianness() === 'LE';

/** Copies a typed array's bytes in little-endian order whatever the host. */
function leBytes(data: TensorData): Uint8Array {
  const b = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return LITTLE ? b : swapBytes(b.slice(), data.BYTES_PER_ELEMENT);
}
function swapBytes(b: Uint8Array, size: number): Uint8Array {
  if (size === 1) return b;
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
  return b;
}

function checkShape(name: string, t: CheckpointTensor): void {
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new DpgcnError(`checkpoint tensor "${name}": shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
  }
  const size = t.shape.reduce((a, d) => a * d, 1);
  if (size !== t.data.length) {
    throw new DpgcnError(`checkpoint tensor "${name}": shape [${t.shape.join(', ')}] holds ${size} values but data has ${t.data.length}`);
  }
}

/** Serialises a checkpoint to bytes (the exact file content). */
export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const names = Object.keys(ck.tensors);
  const dir: DirEntry[] = [];
  let json = '';
  // Offsets depend on the header's length, which depends on the offsets'
  // digits: iterate until the layout is stable (two rounds at most in practice).
  for (let guess = 0, round = 0; ; round++) {
    dir.length = 0;
    let off = FIXED + pad8(guess);
    for (const name of names) {
      const t = ck.tensors[name];
      const dtype = dtypeOf(t.data);
      if (!dtype) throw new DpgcnError(`checkpoint tensor "${name}": data must be a Float32Array, Int32Array, Float64Array or Uint8Array`);
      checkShape(name, t);
      dir.push({ name, dtype, shape: t.shape, offset: off });
      off += pad8(t.data.byteLength);
    }
    json = JSON.stringify({ meta: ck.meta ?? null, tensors: dir });
    const len = Buffer.byteLength(json, 'utf8');
    if (pad8(len) === pad8(guess)) { guess = len; break; }
    if (round > 8) throw new DpgcnError('checkpoint: header layout did not converge');
    guess = len;
  }
  const headerBytes = Buffer.from(json, 'utf8');
  const dataStart = FIXED + pad8(headerBytes.length);
  let total = dataStart;
  for (const name of names) total += pad8(ck.tensors[name].data.byteLength);
  total += TRAILER;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  view.setBigUint64(16, BigInt(total), true);
  view.setUint32(24, names.length, true);
  out.set(headerBytes, FIXED);
  out.fill(0x20, FIXED + headerBytes.length, dataStart);
  for (const e of dir) out.set(leBytes(ck.tensors[e.name].data), e.offset);
  view.setUint32(total - TRAILER, crc32(out.subarray(0, total - TRAILER)), true);
  return out;
}

/** Parses checkpoint bytes; `file` only names the source in error messages. */
export function decodeCheckpoint<M = unknown>(bytes: Uint8Array, file: string): Checkpoint<M> {
  const bad = (what: string): UserError => new UserError(`${file}: ${what}`);
  const magic = Buffer.from(MAGIC, 'latin1');
  if (bytes.length === 0) throw bad('empty file, not a dpgcn checkpoint');
  const head = bytes.subarray(0, Math.min(8, bytes.length));
  if (!magic.subarray(0, head.length).equals(head)) throw bad('not a dpgcn checkpoint (no DPGCNCK1 signature)');
  if (bytes.length < 12) throw bad(`truncated checkpoint (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version < MIN_FORMAT_VERSION || version > FORMAT_VERSION) {
    throw bad(`unsupported checkpoint format version ${version} (this dpgcn reads versions ${MIN_FORMAT_VERSION} to ${FORMAT_VERSION})`);
  }
  if (bytes.length < FIXED + TRAILER) throw bad(`truncated checkpoint (${bytes.length} bytes)`);
  const declared = Number(view.getBigUint64(16, true));
  const stored = view.getUint32(bytes.length - TRAILER, true);
  if (crc32(bytes.subarray(0, bytes.length - TRAILER)) !== stored) {
    if (bytes.length < declared) throw bad(`truncated checkpoint (${bytes.length} of ${declared} bytes)`);
    throw bad('checksum mismatch, the checkpoint is corrupt');
  }
  if (declared !== bytes.length) throw bad(`corrupt checkpoint (declares ${declared} bytes, has ${bytes.length})`);

  const headerLen = view.getUint32(12, true);
  const dataStart = FIXED + pad8(headerLen);
  if (dataStart > bytes.length - TRAILER) throw bad('corrupt checkpoint (header runs past the end)');
  let header: { meta: M; tensors: DirEntry[] };
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + FIXED, headerLen).toString('utf8'));
  } catch (e) {
    throw bad(`corrupt checkpoint header (${(e as Error).message})`);
  }
  if (!header || !Array.isArray(header.tensors) || header.tensors.length !== view.getUint32(24, true)) {
    throw bad('corrupt checkpoint header (tensor directory does not match the tensor count)');
  }
  const tensors: Record<string, CheckpointTensor> = {};
  for (const e of header.tensors) {
    const ok = e && typeof e.name === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, e.dtype)
      && (version >= 2 || e.dtype === 'float32' || e.dtype === 'int32')
      && Array.isArray(e.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0)
      && Number.isInteger(e.offset) && e.offset >= dataStart && e.offset % 8 === 0;
    if (!ok) throw bad(`corrupt checkpoint header (bad tensor entry ${JSON.stringify(e)})`);
    const size = e.shape.reduce((a, d) => a * d, 1), dt = DTYPES[e.dtype], nb = size * dt.size;
    if (e.offset + nb > bytes.length - TRAILER) throw bad(`corrupt checkpoint (tensor "${e.name}" runs past the end)`);
    if (Object.prototype.hasOwnProperty.call(tensors, e.name)) throw bad(`corrupt checkpoint (tensor "${e.name}" appears twice)`);
    // Copy: the file buffer may sit at an unaligned offset, and callers own
    // their arrays. (Buffer#slice would return a view, hence the explicit copy.)
    const raw = new Uint8Array(nb);
    raw.set(bytes.subarray(e.offset, e.offset + nb));
    if (!LITTLE) swapBytes(raw, dt.size);
    tensors[e.name] = { shape: e.shape, data: dt.make(raw.buffer) };
  }
  return { meta: header.meta, tensors };
}

/**
 * Writes a checkpoint atomically: a temporary file in the same directory,
 * fsync, rename over the target, fsync the directory. On any failure the
 * temporary file is removed and an existing target is left untouched.
 */
export async function saveCheckpoint(file: string, ck: Checkpoint): Promise<void> {
  const bytes = encodeCheckpoint(ck);
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | null = null;
  let created = false;
  try {
    await fsp.mkdir(dir, { recursive: true });
    fh = await fsp.open(tmp, 'wx');
    created = true;
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = null;
    await fsp.rename(tmp, file);
    created = false;
  } catch (e) {
    if (fh) await fh.close().catch(() => undefined);
    if (created) await fsp.unlink(tmp).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new UserError(`cannot write checkpoint ${file}: directory ${dir} does not exist`);
    throw new UserError(`cannot write checkpoint ${file}: ${err.message}`);
  }
  await syncDir(dir, file);
}

/**
 * Makes the rename durable. A failure is an error, not a shrug: the file is
 * in place but a crash could still lose the rename, and the caller promised
 * its users a durable checkpoint. NOTE: Windows has no directory fsync (the
 * rename is journaled by NTFS), so there is nothing to call there.
 */
async function syncDir(dir: string, file: string): Promise<void> {
  if (process.platform === 'win32') return;
  let fh: FileHandle | null = null;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`checkpoint ${file} was written but its directory ${dir} could not be synced `
      + `(${err.code ?? err.message}), so the rename may not survive a crash`);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Reads and verifies a checkpoint; every failure is a UserError naming the file. */
export async function loadCheckpoint<M = unknown>(file: string): Promise<Checkpoint<M>> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new UserError(`${file}: checkpoint file not found`);
    if (err.code === 'EISDIR') throw new UserError(`${file}: is a directory, not a checkpoint file`);
    throw new UserError(`${file}: cannot read checkpoint (${err.message})`);
  }
  return decodeCheckpoint<M>(bytes, file);
}
