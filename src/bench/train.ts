/**
 * `dpgcn bench train`: one training step of a LightGCN-style model (an
 * embedding table, two propagation layers of normalised-adjacency SpMM, the
 * mean of the layers, binary cross-entropy on 4,096 (user, positive,
 * negative) triples, backward, Adam) at d = 64. Each (backend, graph) runs in
 * its own process so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import type { BackendName } from '../backend/kernels.js';
import { useBackend } from '../backend/registry.js';
import { Rng } from '../tensor/rng.js';
import { tidy } from '../tensor/scope.js';
import { backward } from '../autograd/engine.js';
import { spmm, add, mulScalar, gatherRows, rowDot, concat, bceWithLogits } from '../autograd/ops/index.js';
import { Embedding } from '../nn/layers.js';
import { Adam } from '../optim/adam.js';
import { movielensSized, powerLaw, type BenchGraph } from './graphs.js';

export interface TrainBenchResult {
  backend: BackendName; graph: string; nodes: number; nnz: number; d: number; batch: number;
  msPerStep: number; stepsPerEpoch: number; msPerEpoch: number; peakRssMB: number; threads?: number;
}

export const GRAPHS: Record<string, () => BenchGraph> = { ml100k: movielensSized, powerlaw: powerLaw };

/** Runs in the current process: builds the graph, warms up, times `steps` steps (median). */
export function trainStepBench(backend: BackendName, graphName: string, steps: number, d = 64, batch = 4096): TrainBenchResult {
  const b = useBackend(backend);
  const g = GRAPHS[graphName]();
  const A = g.adj, n = g.nodes;
  const rng = new Rng(7);
  const emb = new Embedding(n, d, rng, 0.1);
  const opt = new Adam(emb.parameters(), { lr: 1e-3 });
  const labels = new Float32Array(2 * batch);
  labels.fill(1, 0, batch);
  const u = b.allocI32(batch), pos = b.allocI32(batch), neg = b.allocI32(batch);
  const sample = () => {
    for (let k = 0; k < batch; k++) {
      let x = rng.int(n);
      while (A.rowPtr[x + 1] - A.rowPtr[x] < 2) x = rng.int(n);
      u[k] = x;
      let p = A.colIdx[A.rowPtr[x] + rng.int(A.rowPtr[x + 1] - A.rowPtr[x])];
      if (p === x) p = A.colIdx[A.rowPtr[x] + ((A.rowPtr[x + 1] - A.rowPtr[x]) > 1 ? 1 : 0)];
      pos[k] = p; neg[k] = rng.int(n);
    }
  };
  const step = () => tidy(() => {
    sample();
    opt.zeroGrad();
    const e0 = emb.weight;
    const e1 = spmm(A, e0), e2 = spmm(A, e1);
    const f = mulScalar(add(add(e0, e1), e2), 1 / 3);
    const fu = gatherRows(f, u);
    const logits = concat([rowDot(fu, gatherRows(f, pos)), rowDot(fu, gatherRows(f, neg))], 0);
    backward(bceWithLogits(logits, labels));
    opt.step();
  });
  step(); step(); // warm-up: JIT, first-touch of buffers, cached transpose
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = process.hrtime.bigint();
    step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((x, y) => x - y);
  const ms = times.length % 2 ? times[times.length >> 1] : 0.5 * (times[times.length / 2 - 1] + times[times.length / 2]);
  const stepsPerEpoch = Math.ceil(g.interactions / batch);
  return {
    backend, graph: g.name, nodes: n, nnz: A.nnz, d, batch, msPerStep: ms, stepsPerEpoch, msPerEpoch: ms * stepsPerEpoch,
    peakRssMB: process.resourceUsage().maxRSS / 1024, threads: b.info().threads,
  };
}

/** Runs each (backend, graph) in a child process of the dpgcn command and collects the results. */
export function benchTrain(backends: BackendName[], graphs: string[], steps: number, log: (s: string) => void): TrainBenchResult[] {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
  const out: TrainBenchResult[] = [];
  for (const g of graphs) {
    for (const b of backends) {
      const r = spawnSync(process.execPath, [main, 'bench', 'train-one', '--backend', b, '--graph', g, '--steps', String(steps)],
        { encoding: 'utf8', env: { ...process.env, DPGCN_BACKEND: b }, maxBuffer: 1 << 24 });
      if (r.status !== 0) { log(`${b} on ${g}: failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`); continue; }
      const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as TrainBenchResult;
      out.push(res);
      log(`${res.backend.padEnd(6)} ${res.graph.padEnd(14)} nnz=${res.nnz} ${res.msPerStep.toFixed(1).padStart(9)} ms/step ${(res.msPerEpoch / 1000).toFixed(2).padStart(7)} s/epoch  peak RSS ${res.peakRssMB.toFixed(0)} MB`);
    }
  }
  return out;
}
