/**
 * The PyTorch anchor of `dpgcn bench train`. bench/torch_train_step.py runs
 * the same step (same graph, written here by `dpgcn bench graph`; same
 * shapes, loss and optimiser) on this machine and writes a result file;
 * `dpgcn bench train --torch-json FILE` reads it and prints each backend's
 * ratio. Measured in separate processes, so each peak RSS is its own.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { BenchGraph } from './graphs.js';
import type { TrainBenchResult } from './train.js';

export interface TorchResult { graph: string; nnz: number; msPerStep: number; peakRssMB: number; threads: number; torch: string; steps: number }
export interface TorchComparison {
  graph: string; backend: string; msPerStep: number; torchMsPerStep: number;
  /** torch ms / our ms: above 1, we are faster. */
  speedup: number;
  /** our peak RSS / torch's. */
  memoryRatio: number;
}

/** Reads the script's file: { results: TorchResult[] }; a bad file is a UserError naming it. */
export function readTorchResults(file: string): TorchResult[] {
  let parsed: unknown;
  try { parsed = JSON.parse(readFileSync(file, 'utf8')); } catch (e) {
    throw new UserError(`--torch-json: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(e as Error).message})`}`);
  }
  const rs = (parsed as { results?: unknown }).results;
  if (!Array.isArray(rs) || rs.length === 0) throw new UserError(`--torch-json: ${file}: expected {"results": [...]} from bench/torch_train_step.py`);
  rs.forEach((r: Record<string, unknown>, k) => {
    for (const f of ['graph', 'nnz', 'msPerStep', 'peakRssMB'] as const) {
      if (r[f] === undefined || (f !== 'graph' && !(typeof r[f] === 'number' && Number.isFinite(r[f])))) throw new UserError(`--torch-json: ${file}: results[${k}].${f} missing or not a number`);
    }
  });
  return rs as TorchResult[];
}

/** Our results against PyTorch's on the same graph (matched by name and nnz: another graph is not an anchor). */
export function compareWithTorch(ours: TrainBenchResult[], torch: TorchResult[]): TorchComparison[] {
  const out: TorchComparison[] = [];
  for (const r of ours) {
    const t = torch.find((x) => x.graph === r.graph && x.nnz === r.nnz);
    if (!t) continue;
    out.push({ graph: r.graph, backend: r.backend, msPerStep: r.msPerStep, torchMsPerStep: t.msPerStep,
      speedup: t.msPerStep / r.msPerStep, memoryRatio: r.peakRssMB / t.peakRssMB });
  }
  return out;
}

export function renderTorchComparison(cs: TorchComparison[]): string[] {
  if (cs.length === 0) return ['vs PyTorch: no result in the file for these graphs (graph name and nnz must match)'];
  return ['vs PyTorch (same graph, step and machine; speed-up = torch ms / ours, memory = our peak RSS / torch\'s):',
    ...cs.map((c) => `  ${c.graph.padEnd(14)} ${c.backend.padEnd(6)} ${c.msPerStep.toFixed(2).padStart(8)} ms vs ${c.torchMsPerStep.toFixed(2).padStart(8)} ms: `
      + `${c.speedup.toFixed(2)}x faster, memory ${c.memoryRatio.toFixed(2)}`)];
}

/** header.json plus the CSR arrays as raw little-endian files, for numpy.fromfile. */
export function writeBenchGraph(g: BenchGraph, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const a = g.adj;
  const put = (name: string, data: ArrayBufferView) => {
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    renameSync(tmp, join(dir, name));
  };
  put('row_ptr.i32', a.rowPtr); put('col_idx.i32', a.colIdx); put('values.f32', a.values);
  // the header last: a directory with a header is complete
  put('header.json', new TextEncoder().encode(JSON.stringify({ name: g.name, nodes: g.nodes, nnz: a.nnz, interactions: g.interactions }) + '\n'));
}
