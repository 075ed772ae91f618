/**
 * The serving side of the learner's worker thread: transitions are posted in
 * the order they were joined, gate decisions come back in the same order.
 * `gateDue()` is a promise for the gate decision of the last completed
 * publication period that has not come back yet (the server's --learn-sync
 * mode waits on it before the next answer, so answers do not depend on how
 * fast the worker is).
 */
import { Worker } from 'node:worker_threads';
import type { PolicySpec, Weights } from './learner.js';
import type { GateRecord, LearnerOptions, LearnerState, Transition } from './online_learner.js';

export interface LearnerStats { version: number; transitions: number; updates: number; replay: number; heldOut: number }
export interface GateMessage { record: GateRecord; weights: Weights | null; stats: LearnerStats }

export class LearnerThread {
  private readonly worker: Worker;
  private sent = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, (v: { state?: LearnerState; stats: LearnerStats }) => void>();
  private readonly gates: { at: number; resolve(): void; promise: Promise<void> }[] = [];
  private closed = false;
  stats: LearnerStats;
  error: Error | null = null;

  constructor(spec: PolicySpec, readonly opts: LearnerOptions, state: LearnerState | null, private readonly onGate: (g: GateMessage) => void) {
    this.worker = new Worker(new URL('./learner_worker.js', import.meta.url), { workerData: { spec, opts, state } });
    this.sent = state?.meta.transitions ?? 0;
    this.stats = { version: state?.meta.version ?? 0, transitions: this.sent, updates: state?.meta.updates ?? 0, replay: 0, heldOut: state?.meta.held ?? 0 };
    this.worker.on('message', (m: { type: string; id?: number; record?: GateRecord; weights?: Weights | null; state?: LearnerState; stats: LearnerStats }) => {
      this.stats = m.stats;
      if (m.type === 'gate') {
        this.onGate({ record: m.record!, weights: m.weights ?? null, stats: m.stats });
        const g = this.gates.shift();
        g?.resolve();
      } else {
        const w = this.waiting.get(m.id!);
        this.waiting.delete(m.id!);
        w?.({ state: m.state, stats: m.stats });
      }
    });
    this.worker.on('error', (e) => { this.error = e; process.stderr.write(`dpgcn serve: learner thread: ${e.stack ?? e.message}\n`); });
  }

  add(ts: Transition[]): void {
    if (ts.length === 0 || this.closed) return;
    const P = this.opts.publishEvery;
    for (let k = 0; k < ts.length; k++) {
      this.sent++;
      if (this.sent % P === 0) { let resolve!: () => void; const promise = new Promise<void>((r) => { resolve = r; }); this.gates.push({ at: this.sent, resolve, promise }); }
    }
    this.worker.postMessage({ type: 'add', transitions: ts });
  }

  /** Resolves once every gate decision due so far has come back (at once when none is due). */
  gateDue(): Promise<void> | null { return this.gates.length ? this.gates[this.gates.length - 1].promise : null; }

  private ask(type: 'snapshot' | 'drain'): Promise<{ state?: LearnerState; stats: LearnerStats }> {
    if (this.error) return Promise.reject(this.error);
    const id = this.nextId++;
    return new Promise((resolve) => { this.waiting.set(id, resolve); this.worker.postMessage({ type, id }); });
  }

  /** The learner's whole state after every transition posted so far. */
  async snapshot(): Promise<LearnerState> { return (await this.ask('snapshot')).state!; }

  /** Resolves once every transition posted so far is learned from (gate decisions included). */
  async drain(): Promise<LearnerStats> { return (await this.ask('drain')).stats; }

  async close(): Promise<void> { this.closed = true; for (const g of this.gates) g.resolve(); await this.worker.terminate(); }
}
