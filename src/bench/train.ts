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
import { useBackend, setCurrentBackend } from '../backend/registry.js';
import { KernelProfile } from '../backend/profile.js';
import type { Backend } from '../backend/kernels.js';
import type { CsrMatrix } from '../sparse/csr.js';
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
  /** --profile: where a step's time and memory go (separate steps, after the timed ones). */
  profile?: StepProfile;
}

export interface StepProfile {
  steps: number;
  /** Median ms per step of each phase. */
  phases: { sample: number; forward: number; backward: number; optimizer: number };
  /** Per kernel, per step: calls and ms; the step's JS -> kernel crossings; allocations. */
  kernels: { name: string; calls: number; ms: number }[];
  crossingsPerStep: number;
  kernelMsPerStep: number;
  allocationsPerStep: number;
  allocatedMBPerStep: number;
  /** Memory by owner (MB): what the step keeps between steps and what it adds at its peak. */
  memoryMB: { parameters: number; adamState: number; graph: number; graphTranspose: number; poolIdle: number | null; stepPeakLive: number };
}

export const GRAPHS: Record<string, () => BenchGraph> = { ml100k: movielensSized, powerlaw: powerLaw };

/** Runs in the current process: builds the graph, warms up, times `steps` steps (median). */
export function trainStepBench(backend: BackendName, graphName: string, steps: number, d = 64, batch = 4096, profileSteps = 0): TrainBenchResult {
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
  const phases = { sample: [] as number[], forward: [] as number[], backward: [] as number[], optimizer: [] as number[] };
  const step = (timed = false) => tidy(() => {
    let t = performance.now();
    const lap = (k: keyof typeof phases) => { if (timed) { const n = performance.now(); phases[k].push(n - t); t = n; } };
    sample();
    lap('sample');
    opt.zeroGrad();
    const e0 = emb.weight;
    const e1 = spmm(A, e0), e2 = spmm(A, e1);
    const f = mulScalar(add(add(e0, e1), e2), 1 / 3);
    const fu = gatherRows(f, u);
    const logits = concat([rowDot(fu, gatherRows(f, pos)), rowDot(fu, gatherRows(f, neg))], 0);
    const loss = bceWithLogits(logits, labels);
    lap('forward');
    backward(loss);
    lap('backward');
    opt.step();
    lap('optimizer');
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
  const profile = profileSteps > 0 ? profileStep(b, profileSteps, () => step(true), phases, { n, d, A }) : undefined;
  return {
    backend, graph: g.name, nodes: n, nnz: A.nnz, d, batch, msPerStep: ms, stepsPerEpoch, msPerEpoch: ms * stepsPerEpoch,
    peakRssMB: process.resourceUsage().maxRSS / 1024, threads: b.info().threads, ...(profile ? { profile } : {}),
  };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]); };

/** Runs `steps` more steps under the kernel profiler and sums up where their time and memory went. */
function profileStep(b: Backend, steps: number, step: () => void, phases: Record<keyof StepProfile['phases'], number[]>,
  g: { n: number; d: number; A: CsrMatrix }): StepProfile {
  const prof = new KernelProfile(b), prev = setCurrentBackend(prof.backend);
  try {
    step(); // the profiled backend's first step: resident copies and cached buffers
    for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k].length = 0;
    prof.reset();
    for (let s = 0; s < steps; s++) step();
  } finally {
    if (prev) setCurrentBackend(prev);
  }
  const r = prof.report(), MB = 1 / 1048576;
  const csrBytes = (m: CsrMatrix) => m.rowPtr.byteLength + m.colIdx.byteLength + m.values.byteLength;
  const T = g.A.transpose();
  return {
    steps,
    phases: { sample: median(phases.sample), forward: median(phases.forward), backward: median(phases.backward), optimizer: median(phases.optimizer) },
    kernels: r.kernels.map((k) => ({ name: k.name, calls: k.calls / steps, ms: k.ms / steps })),
    crossingsPerStep: r.calls / steps, kernelMsPerStep: r.kernelMs / steps,
    allocationsPerStep: r.allocations / steps, allocatedMBPerStep: r.allocatedMB / steps,
    memoryMB: { parameters: g.n * g.d * 4 * MB, adamState: 2 * g.n * g.d * 4 * MB, graph: csrBytes(g.A) * MB,
      graphTranspose: T === g.A ? 0 : csrBytes(T) * MB, poolIdle: b.idleBytes ? b.idleBytes() * MB : null, stepPeakLive: r.peakLiveMB },
  };
}

/** Runs each (backend, graph) in a child process of the dpgcn command and collects the results. */
export function benchTrain(backends: BackendName[], graphs: string[], steps: number, log: (s: string) => void, profileSteps = 0): TrainBenchResult[] {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
  const out: TrainBenchResult[] = [];
  for (const g of graphs) {
    for (const b of backends) {
      const r = spawnSync(process.execPath, [main, 'bench', 'train-one', '--backend', b, '--graph', g, '--steps', String(steps), '--profile', String(profileSteps)],
        { encoding: 'utf8', env: { ...process.env, DPGCN_BACKEND: b }, maxBuffer: 1 << 24 });
      if (r.status !== 0) { log(`${b} on ${g}: failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`); continue; }
      const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as TrainBenchResult;
      out.push(res);
      log(`${res.backend.padEnd(6)} ${res.graph.padEnd(14)} nnz=${res.nnz} ${res.msPerStep.toFixed(1).padStart(9)} ms/step ${(res.msPerEpoch / 1000).toFixed(2).padStart(7)} s/epoch  peak RSS ${res.peakRssMB.toFixed(0)} MB`);
      if (res.profile) log(renderProfile(res.profile));
    }
  }
  return out;
}

/** The --profile table: phases, the kernels by time, crossings, allocations and memory by owner. */
export function renderProfile(p: StepProfile): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const ph = p.phases, total = ph.sample + ph.forward + ph.backward + ph.optimizer;
  const lines = [`  profile (median of ${p.steps} steps): sample ${f(ph.sample)} ms, forward ${f(ph.forward)} ms, backward ${f(ph.backward)} ms, optimizer ${f(ph.optimizer)} ms (sum ${f(total)} ms)`,
    `  kernels ${f(p.kernelMsPerStep)} ms in ${f(p.crossingsPerStep, 0)} calls (JS -> kernel crossings); outside kernels ${f(Math.max(0, total - p.kernelMsPerStep))} ms; `
      + `${f(p.allocationsPerStep, 0)} allocations, ${f(p.allocatedMBPerStep, 1)} MB per step`];
  for (const k of p.kernels.slice(0, 10)) lines.push(`    ${k.name.padEnd(22)} ${f(k.ms, 3).padStart(8)} ms  ${f(k.calls, 1).padStart(6)} calls`);
  const m = p.memoryMB;
  lines.push(`  memory MB: parameters ${f(m.parameters, 1)}, Adam state ${f(m.adamState, 1)}, graph ${f(m.graph, 1)}, transpose ${f(m.graphTranspose, 1)}, `
    + `pool idle ${m.poolIdle === null ? '-' : f(m.poolIdle, 1)}, step peak live ${f(m.stepPeakLive, 1)}`);
  return lines.join('\n');
}
