/**
 * Reference dense kernels: plain loops written for clarity. They are the
 * oracle every other backend is tested against, and the last fallback.
 */
import type { BinaryOp, Broadcast } from '../kernels.js';

// a: (m,k) or (k,m) if ta; b: (k,n) or (n,k) if tb; c: (m,n)
export function gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number,
  ta: boolean, tb: boolean, alpha: number, beta: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = ta ? a[p * m + i] : a[i * k + p];
        const bv = tb ? b[j * k + p] : b[p * n + j];
        s += av * bv;
      }
      const o = i * n + j;
      c[o] = beta === 0 ? alpha * s : alpha * s + beta * c[o];
    }
  }
}

// x: (n,m) -> y: (m,n)
export function transpose(x: Float32Array, y: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[i * n + j] = x[j * m + i];
}

// a, b: (m,n) -> y: (m)
export function rowDot(a: Float32Array, b: Float32Array, y: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * b[i * n + j];
    y[i] = s;
  }
}

export function axpy(alpha: number, x: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

export function fill(y: Float32Array, value: number, n: number): void {
  for (let i = 0; i < n; i++) y[i] = value;
}

function bIndex(mode: Broadcast, i: number, j: number, n: number): number {
  switch (mode) {
    case 'full': return i * n + j;
    case 'row': return j;
    case 'col': return i;
    case 'scalar': return 0;
    default: return mode satisfies never;
  }
}

function apply(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case 'add': return x + y;
    case 'sub': return x - y;
    case 'mul': return x * y;
    case 'div': return x / y;
    case 'maximum': return x >= y ? x : y;
    case 'minimum': return x <= y ? x : y;
    default: return op satisfies never;
  }
}

// a: (m,n), b: per mode -> y: (m,n)
export function binary(op: BinaryOp, a: Float32Array, b: Float32Array, y: Float32Array, m: number, n: number,
  mode: Broadcast): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) y[i * n + j] = apply(op, a[i * n + j], b[bIndex(mode, i, j, n)]);
  }
}

export function binaryBackward(op: BinaryOp, a: Float32Array, b: Float32Array, dy: Float32Array,
  da: Float32Array | null, db: Float32Array | null, m: number, n: number, mode: Broadcast): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const o = i * n + j, bi = bIndex(mode, i, j, n);
      const x = a[o], y = b[bi], g = dy[o];
      let ga: number, gb: number;
      switch (op) {
        case 'add': ga = g; gb = g; break;
        case 'sub': ga = g; gb = -g; break;
        case 'mul': ga = g * y; gb = g * x; break;
        case 'div': ga = g / y; gb = -g * x / (y * y); break;
        case 'maximum': ga = x >= y ? g : 0; gb = x >= y ? 0 : g; break;
        case 'minimum': ga = x <= y ? g : 0; gb = x <= y ? 0 : g; break;
        default: return op satisfies never;
      }
      if (da) da[o] += ga;
      if (db) db[bi] += gb;
    }
  }
}

// x: (m,n) -> y: (n) for axis 0, (m) for axis 1
export function sumAxis(x: Float32Array, y: Float32Array, m: number, n: number, axis: 0 | 1): void {
  if (axis === 0) {
    for (let j = 0; j < n; j++) y[j] = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[j] += x[i * n + j];
  } else {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[i * n + j];
      y[i] = s;
    }
  }
}

export function maxAxis(x: Float32Array, y: Float32Array, arg: Int32Array, m: number, n: number, axis: 0 | 1): void {
  const outer = axis === 0 ? n : m, inner = axis === 0 ? m : n;
  for (let o = 0; o < outer; o++) {
    let best = -Infinity, bi = -1;
    for (let r = 0; r < inner; r++) {
      const v = axis === 0 ? x[r * n + o] : x[o * n + r];
      if (v > best || bi < 0) { best = v; bi = r; }
    }
    y[o] = bi < 0 ? -Infinity : best;
    arg[o] = bi;
  }
}

// x, y: (m,n)
export function softmaxRows(x: Float32Array, y: Float32Array, m: number, n: number, log: boolean): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j] > mx) mx = x[o + j];
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[o + j] - mx);
    if (log) {
      const ls = Math.log(s);
      for (let j = 0; j < n; j++) y[o + j] = x[o + j] - mx - ls;
    } else {
      for (let j = 0; j < n; j++) y[o + j] = Math.exp(x[o + j] - mx) / s;
    }
  }
}

export function softmaxRowsBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, m: number, n: number,
  log: boolean): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let s = 0;
    if (log) {
      for (let j = 0; j < n; j++) s += dy[o + j];
      for (let j = 0; j < n; j++) dx[o + j] += dy[o + j] - Math.exp(y[o + j]) * s;
    } else {
      for (let j = 0; j < n; j++) s += dy[o + j] * y[o + j];
      for (let j = 0; j < n; j++) dx[o + j] += y[o + j] * (dy[o + j] - s);
    }
  }
}

export function bceLogits(z: Float32Array, t: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = z[i];
    out[i] = Math.max(x, 0) - x * t[i] + Math.log1p(Math.exp(-Math.abs(x)));
  }
}

export function bceLogitsBackward(z: Float32Array, t: Float32Array, dy: Float32Array, dz: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dz[i] += dy[i] * (1 / (1 + Math.exp(-z[i])) - t[i]);
}

export function adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number,
  lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number, decoupled: boolean): void {
  for (let i = 0; i < n; i++) {
    let gi = g[i];
    if (decoupled) p[i] -= lr * wd * p[i];
    else gi += wd * p[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    p[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
  }
}
