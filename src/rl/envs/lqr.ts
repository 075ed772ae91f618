/**
 * A finite-horizon linear-quadratic regulator: x' = A x + B u, reward
 * -(x'^T Q x' + u^T R u) on the next state x', episode length `horizon`.
 * Its optimum is known exactly: the backward Riccati recursion
 *   S = Q + P_{t+1},  K_t = (R + B^T S B)^{-1} B^T S A,  P_t = A^T S (A - B K_t),
 * with P_H = 0, gives the optimal (time-varying) control u_t = -K_t x and the
 * optimal return -x0^T P_0 x0 from any start. That makes it the test bed where
 * DDPG must show that it learns before it is trusted with recommendations.
 * Matrices are computed in float64; states and actions cross as Float32Arrays.
 */
import type { Rng } from '../../tensor/rng.js';
import { UserError } from '../../errors.js';
import type { Env, StepResult } from '../env.js';

type Mat = number[][];

export interface LqrOptions {
  A: Mat; B: Mat; Q: Mat; R: Mat;
  horizon: number;
  /** Starts drawn from U(-initRange, initRange)^n with this Rng... */
  rng?: Rng;
  initRange?: number;
  /** ...or cycled through in order (deterministic evaluation; optimalReturn is then exact). */
  initialStates?: ArrayLike<number>[];
  /**
   * Append the elapsed fraction t/horizon to the observation. The task is then
   * Markov (the optimal control is time-varying), the horizon is a true
   * terminal, and an undiscounted learner can reach the exact optimum.
   */
  observeTime?: boolean;
}

export class LqrEnv implements Env {
  readonly stateDim: number;
  readonly actionDim: number;
  readonly horizon: number;
  /** P_t for t = 0..horizon (value matrices) and K_t for t = 0..horizon-1 (gains). */
  readonly P: Mat[];
  readonly K: Mat[];
  private readonly A: Mat; private readonly B: Mat; private readonly Q: Mat; private readonly R: Mat;
  private readonly initRange: number;
  private readonly starts: Float64Array[] | null;
  private nextStart = 0;
  private x: Float64Array;
  private t = 0;
  private readonly observeTime: boolean;

  constructor(private readonly opts: LqrOptions) {
    const { A, B, Q, R } = opts;
    const n = A.length, m = B[0].length;
    this.stateDim = n + (opts.observeTime ? 1 : 0);
    this.actionDim = m;
    const sq = (M: Mat, k: number) => M.length === k && M.every((r) => r.length === k);
    if (!sq(A, n) || B.length !== n || !B.every((r) => r.length === m) || !sq(Q, n) || !sq(R, m)) {
      throw new UserError(`LqrEnv: expected A ${n}x${n}, B ${n}x${m}, Q ${n}x${n}, R ${m}x${m}`);
    }
    if (!(Number.isInteger(opts.horizon) && opts.horizon > 0)) throw new UserError(`LqrEnv: horizon must be a positive integer (got ${opts.horizon})`);
    this.A = A; this.B = B; this.Q = Q; this.R = R;
    this.horizon = opts.horizon;
    this.initRange = opts.initRange ?? 1;
    this.starts = opts.initialStates ? opts.initialStates.map((s) => Float64Array.from(s)) : null;
    if (!this.starts && !opts.rng) throw new UserError('LqrEnv: give either rng (random starts) or initialStates');
    this.observeTime = !!opts.observeTime;
    if (this.starts?.some((s) => s.length !== n)) throw new UserError(`LqrEnv: every initial state needs ${n} values`);
    [this.P, this.K] = riccati(A, B, Q, R, this.horizon);
    this.x = new Float64Array(n);
  }

  reset(): Float32Array {
    if (this.starts) {
      this.x = this.starts[this.nextStart].slice();
      this.nextStart = (this.nextStart + 1) % this.starts.length;
    } else {
      const rng = this.opts.rng!;
      for (let i = 0; i < this.x.length; i++) this.x[i] = rng.range(-this.initRange, this.initRange);
    }
    this.t = 0;
    return this.observe();
  }

  private observe(): Float32Array {
    const n = this.x.length;
    const o = new Float32Array(this.stateDim);
    for (let i = 0; i < n; i++) o[i] = this.x[i];
    if (this.observeTime) o[n] = this.t / this.horizon;
    return o;
  }

  step(action: Float32Array): StepResult {
    if (action.length !== this.actionDim) throw new UserError(`LqrEnv.step: action has ${action.length} values, expected ${this.actionDim}`);
    if (this.t >= this.horizon) throw new UserError('LqrEnv.step: the episode is over; call reset()');
    const u = Float64Array.from(action);
    if (!u.every(Number.isFinite)) throw new UserError('LqrEnv.step: the action is not finite');
    const x2 = add(mv(this.A, this.x), mv(this.B, u));
    const reward = -(quad(this.Q, x2) + quad(this.R, u));
    this.x = x2;
    this.t++;
    const done = this.t >= this.horizon;
    // without time in the observation the horizon is invisible to the learner,
    // so it must treat the end as a cut (bootstrap through it), not a terminal
    return { state: this.observe(), reward, done, truncated: done && !this.observeTime };
  }

  /** The optimal control at time t from state x (its first n values): u = -K_t x. */
  optimalAction(x: ArrayLike<number>, t: number): Float32Array {
    const u = mv(this.K[t], Float64Array.from({ length: this.x.length }, (_, i) => x[i]));
    return Float32Array.from(u, (v) => -v);
  }

  /** The optimal return from x0: -x0^T P_0 x0. */
  optimalReturnFrom(x0: ArrayLike<number>): number { return -quad(this.P[0], Float64Array.from(x0)); }

  /**
   * The optimal expected return per episode: exact over the cycle of
   * initialStates, or -(r^2/3) tr(P_0) for uniform starts in [-r, r]^n.
   */
  optimalReturn(): number {
    if (this.starts) return this.starts.reduce((s, x) => s + this.optimalReturnFrom(x), 0) / this.starts.length;
    const r2 = (this.initRange * this.initRange) / 3;
    return -r2 * this.P[0].reduce((s, row, i) => s + row[i], 0);
  }
}

/** Backward Riccati recursion: P_0..P_H and K_0..K_{H-1}. */
export function riccati(A: Mat, B: Mat, Q: Mat, R: Mat, horizon: number): [Mat[], Mat[]] {
  const n = A.length;
  const P: Mat[] = new Array(horizon + 1);
  const K: Mat[] = new Array(horizon);
  P[horizon] = zeros(n, n);
  const At = tr(A), Bt = tr(B);
  for (let t = horizon - 1; t >= 0; t--) {
    const S = madd(Q, P[t + 1]);
    const BtS = mm(Bt, S);
    K[t] = mm(inv(madd(R, mm(BtS, B))), mm(BtS, A));
    const AtS = mm(At, S);
    P[t] = mm(AtS, msub(A, mm(B, K[t])));
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) P[t][i][j] = P[t][j][i] = 0.5 * (P[t][i][j] + P[t][j][i]);
  }
  return [P, K];
}

function zeros(r: number, c: number): Mat { return Array.from({ length: r }, () => new Array(c).fill(0)); }
function tr(M: Mat): Mat { return M[0].map((_, j) => M.map((row) => row[j])); }
function mm(X: Mat, Y: Mat): Mat {
  return X.map((row) => Y[0].map((_, j) => row.reduce((s, v, k) => s + v * Y[k][j], 0)));
}
function madd(X: Mat, Y: Mat): Mat { return X.map((row, i) => row.map((v, j) => v + Y[i][j])); }
function msub(X: Mat, Y: Mat): Mat { return X.map((row, i) => row.map((v, j) => v - Y[i][j])); }
function mv(M: Mat, x: Float64Array): Float64Array { return Float64Array.from(M, (row) => row.reduce((s, v, k) => s + v * x[k], 0)); }
function add(x: Float64Array, y: Float64Array): Float64Array { return x.map((v, i) => v + y[i]); }
function quad(M: Mat, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) s += x[i] * M[i][j] * x[j];
  return s;
}

/** Gauss-Jordan inverse with partial pivoting (the m x m matrices here are tiny and positive definite). */
function inv(M: Mat): Mat {
  const n = M.length;
  const a = M.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-12) throw new UserError('LqrEnv: R + B^T S B is singular (is R positive definite?)');
    [a[c], a[p]] = [a[p], a[c]];
    const d = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row) => row.slice(n));
}
