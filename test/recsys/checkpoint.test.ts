import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import {
  saveCheckpoint, loadCheckpoint, encodeCheckpoint, decodeCheckpoint, crc32, crc32Js, MAGIC, FORMAT_VERSION,
  type Checkpoint, type TensorData,
} from '../../src/recsys/checkpoint.js';
import { UserError } from '../../src/errors.js';

const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-ck-'));

function sample(): Checkpoint<{ model: string; config: Record<string, unknown>; ids: Record<string, number> }> {
  const w = new Float32Array(3 * 5);
  for (let i = 0; i < w.length; i++) w[i] = Math.fround(Math.sin(i) * 1e3);
  w[0] = -0; w[1] = Infinity; w[2] = NaN; w[3] = 1.4e-45; // edge values must survive bit for bit
  return {
    meta: { model: 'dp-gcn', config: { dim: 64, agg: 'max', lr: 1e-3, note: 'naïve ✓ "quoted"' }, ids: { u1: 0, u2: 1 } },
    tensors: {
      'user.emb': { shape: [3, 5], data: w },
      'item.ids': { shape: [7], data: new Int32Array([0, -1, 2147483647, -2147483648, 5, 6, 7]) },
      bias: { shape: [1], data: new Float32Array([0.5]) }, // 4 bytes: forces padding
      empty: { shape: [0, 4], data: new Float32Array(0) },
      scalar: { shape: [], data: new Int32Array([42]) },
      times: { shape: [3], data: new Float64Array([1.5e9 + 0.25, -0, Number.MAX_VALUE]) }, // format version 2
      flags: { shape: [5], data: new Uint8Array([0, 1, 255, 7, 3]) },
    },
  };
}

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try { await p; } catch (e) {
    assert.instance(e, UserError, `expected a UserError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a rejection matching ${re}`);
}

const S = suite('checkpoint');

S('crc32 (own table and native) matches the standard check value and zlib', () => {
  for (const f of [crc32, crc32Js]) {
    assert.is(f(Buffer.from('123456789')), 0xcbf43926);
    assert.is(f(new Uint8Array(0)), 0);
    const b = Buffer.from('a longer buffer to compare against zlib, with a running checksum \xff\x00');
    assert.is(f(b.subarray(10), f(b.subarray(0, 10))), f(b));
    const z = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
    if (z) assert.is(f(b), z(b));
  }
  const big = new Uint8Array(100_003);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  assert.is(crc32(big), crc32Js(big));
});

S('roundtrip keeps meta, shapes, dtypes and exact bits', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'model.ck');
  const ck = sample();
  await saveCheckpoint(file, ck);
  const back = await loadCheckpoint<typeof ck.meta>(file);
  assert.equal(back.meta, ck.meta);
  assert.equal(Object.keys(back.tensors), Object.keys(ck.tensors));
  for (const [name, t] of Object.entries(ck.tensors)) {
    const b = back.tensors[name];
    assert.equal(b.shape, t.shape, name);
    assert.is(b.data.constructor, t.data.constructor, name);
    const bits = (d: TensorData): number[] => Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    assert.equal(bits(b.data), bits(t.data), name);
  }
  assert.equal(fs.readdirSync(dir), ['model.ck']);
});

S('layout: magic, version, 8-byte aligned sections and length', () => {
  const bytes = encodeCheckpoint(sample());
  assert.is(Buffer.from(bytes.subarray(0, 8)).toString('latin1'), MAGIC);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.is(v.getUint32(8, true), FORMAT_VERSION);
  assert.is(Number(v.getBigUint64(16, true)), bytes.length);
  assert.is(bytes.length % 8, 0);
  const header = JSON.parse(Buffer.from(bytes.subarray(32, 32 + v.getUint32(12, true))).toString('utf8'));
  for (const t of header.tensors) assert.is(t.offset % 8, 0, t.name);
  // a view into a larger, oddly offset buffer decodes too
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assert.equal(decodeCheckpoint(shifted.subarray(3), 'x').meta, sample().meta);
});

S('layout is stable when the header length crosses a padding boundary', () => {
  for (let n = 0; n < 40; n++) {
    const ck = { meta: { pad: 'x'.repeat(n) }, tensors: { a: { shape: [2], data: new Float32Array([1, 2]) } } };
    const back = decodeCheckpoint(encodeCheckpoint(ck), 'x');
    assert.equal(Array.from(back.tensors.a.data), [1, 2]);
  }
});

S('a flipped byte anywhere is a checksum error naming the file', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'm.ck');
  await saveCheckpoint(file, sample());
  const good = fs.readFileSync(file);
  for (const at of [40, Math.floor(good.length / 2), good.length - 12, good.length - 8]) {
    const bad = Buffer.from(good);
    bad[at] ^= 0x10;
    fs.writeFileSync(file, bad);
    await rejects(loadCheckpoint(file), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: checksum mismatch`));
  }
});

S('truncation is reported as truncation', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'm.ck');
  const good = encodeCheckpoint(sample());
  for (const n of [good.length - 1, good.length - 100, 40, 20, 10, 5]) {
    fs.writeFileSync(file, good.subarray(0, n));
    await rejects(loadCheckpoint(file), /m\.ck: truncated checkpoint/);
  }
  fs.writeFileSync(file, '');
  await rejects(loadCheckpoint(file), /empty file/);
});

S('foreign files, other versions and missing files', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'x.bin');
  fs.writeFileSync(file, '{"this": "is json"}');
  await rejects(loadCheckpoint(file), /x\.bin: not a dpgcn checkpoint/);
  fs.writeFileSync(file, Buffer.from([0x1f, 0x8b, 8, 0]));
  await rejects(loadCheckpoint(file), /not a dpgcn checkpoint/);
  const future = Buffer.from(encodeCheckpoint(sample()));
  future.writeUInt32LE(FORMAT_VERSION + 1, 8);
  fs.writeFileSync(file, future);
  await rejects(loadCheckpoint(file), /unsupported checkpoint format version 3 \(this dpgcn reads versions 1 to 2\)/);
  await rejects(loadCheckpoint(path.join(dir, 'nope.ck')), /nope\.ck: checkpoint file not found/);
  await rejects(loadCheckpoint(dir), /is a directory/);
});

S('a missing output directory is created', async () => {
  const file = path.join(tmpDir(), 'new', 'deeper', 'm.ck');
  await saveCheckpoint(file, sample());
  assert.ok(fs.existsSync(file));
});

S('a directory that cannot be synced is an error naming the file and the directory', async () => {
  const dir = tmpDir(), file = path.join(dir, 'm.ck');
  const open = fsPromises.open;
  // the directory's fsync fails as on a device error; the file's own open, write and sync are untouched
  fsPromises.open = (async (p: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    const fh = await open(p, flags, mode);
    if (String(p) === dir && flags === 'r') fh.sync = async () => { throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }); };
    return fh;
  }) as typeof fsPromises.open;
  syncBuiltinESMExports();
  try {
    await rejects(saveCheckpoint(file, sample()), new RegExp(`checkpoint ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was written but its directory .* could not be synced \\(EIO\\)`));
  } finally {
    fsPromises.open = open;
    syncBuiltinESMExports();
  }
  // the file itself is complete: only the rename's durability is in doubt
  assert.equal((await loadCheckpoint(file)).meta, sample().meta);
});

S('a failed write leaves no temporary file and keeps the old checkpoint', async () => {
  const dir = tmpDir();
  // a file where the directory should be
  fs.writeFileSync(path.join(dir, 'plain'), '');
  await rejects(saveCheckpoint(path.join(dir, 'plain', 'm.ck'), sample()), /cannot write checkpoint/);
  assert.equal(fs.readdirSync(dir), ['plain']);
  fs.rmSync(path.join(dir, 'plain'));
  // rename onto a directory fails after the temporary file was written
  fs.mkdirSync(path.join(dir, 'taken'));
  fs.writeFileSync(path.join(dir, 'taken', 'keep'), '');
  await rejects(saveCheckpoint(path.join(dir, 'taken'), sample()), /cannot write checkpoint/);
  assert.equal(fs.readdirSync(dir), ['taken']);
  // an invalid tensor fails before anything is written; the old file survives
  const file = path.join(dir, 'm.ck');
  await saveCheckpoint(file, sample());
  const before = fs.readFileSync(file);
  try {
    await saveCheckpoint(file, { meta: {}, tensors: { w: { shape: [2, 2], data: new Float32Array(3) } } });
    assert.unreachable('bad shape accepted');
  } catch (e) {
    assert.match((e as Error).message, /tensor "w": shape \[2, 2\] holds 4 values but data has 3/);
  }
  assert.equal(fs.readFileSync(file), before);
  assert.equal(fs.readdirSync(dir).sort(), ['m.ck', 'taken']);
  // overwriting works and replaces the content
  await saveCheckpoint(file, { meta: { v: 2 }, tensors: {} });
  assert.equal((await loadCheckpoint(file)).meta, { v: 2 });
  assert.equal(fs.readdirSync(dir).sort(), ['m.ck', 'taken']);
});

S.run();
