/**
 * Elementwise kernels: axpy, fill, unary ops and their derivatives, binary
 * ops with broadcasting and their accumulated gradients.
 *
 * Op codes match UNARY_CODE / BINARY_CODE / BCAST_CODE in
 * src/backend/kernels.ts; unary_op_count() and binary_op_count() let a test
 * check that both sides list the same ops. Cheap ops run four lanes at a
 * time; transcendental ones call Mathf per lane (musl ports, < 1 ulp), since
 * matching the js reference to 1e-6 matters more here than speed. Formulas
 * follow the reference term by term (sigmoid uses the overflow-free form so
 * that large negative inputs keep their subnormal result instead of 0).
 */

const NEG = 0, EXP = 1, LOG = 2, SQRT = 3, ABS = 4, SIGMOID = 5, TANH = 6, RELU = 7;
const LEAKY = 8, SOFTPLUS = 9, SQUARE = 10, POW = 11, CLAMP = 12, SCALE = 13;
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAXIMUM = 4, MINIMUM = 5;
const FULL = 0, ROW = 1, COL = 2, SCALAR = 3;

export function unary_op_count(): i32 { return 14; }
export function binary_op_count(): i32 { return 6; }

/** Overflow-free logistic function, shared with the loss kernels. */
// @ts-ignore: decorator
@inline
export function sigmoidf(x: f32): f32 {
  if (x >= 0) return 1 / (1 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1 + e);
}

// y[i] += alpha * x[i], i < n
export function axpy_f32(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  const end = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  for (; o < end; o += 4) store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
}

export function fill_f32(y: usize, value: f32, n: i32): void {
  const v = f32x4.splat(value);
  const end = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) v128.store(y + o, v);
  for (; o < end; o += 4) store<f32>(y + o, value);
}

// @ts-ignore: decorator
@inline
function unaryScalar(op: i32, x: f32, p: f32, q: f32): f32 {
  switch (op) {
    case NEG: return -x;
    case EXP: return Mathf.exp(x);
    case LOG: return Mathf.log(x);
    case SQRT: return Mathf.sqrt(x);
    case ABS: return Mathf.abs(x);
    case SIGMOID: return sigmoidf(x);
    case TANH: return Mathf.tanh(x);
    case RELU: return x > 0 ? x : 0;
    case LEAKY: return x > 0 ? x : p * x;
    case SOFTPLUS: return max(x, <f32>0) + Mathf.log1p(Mathf.exp(-Mathf.abs(x)));
    case SQUARE: return x * x;
    case POW: return Mathf.pow(x, p);
    case CLAMP: return x < p ? p : x > q ? q : x;
    default: return p * x; // SCALE
  }
}

// Only for the ops that have a lane-parallel form (see isVector).
// @ts-ignore: decorator
@inline
function unaryVector(op: i32, x: v128, vp: v128, vq: v128): v128 {
  const zero = f32x4.splat(0);
  switch (op) {
    case NEG: return f32x4.neg(x);
    case SQRT: return f32x4.sqrt(x);
    case ABS: return f32x4.abs(x);
    case RELU: return v128.bitselect(x, zero, f32x4.gt(x, zero));
    case LEAKY: return v128.bitselect(x, f32x4.mul(vp, x), f32x4.gt(x, zero));
    case SQUARE: return f32x4.mul(x, x);
    case CLAMP: return v128.bitselect(vp, v128.bitselect(vq, x, f32x4.gt(x, vq)), f32x4.lt(x, vp));
    default: return f32x4.mul(vp, x); // SCALE
  }
}

// @ts-ignore: decorator
@inline
function isVector(op: i32): bool {
  return op == NEG || op == SQRT || op == ABS || op == RELU || op == LEAKY || op == SQUARE || op == CLAMP || op == SCALE;
}

// y = f(x) over n elements
export function unary_f32(op: i32, x: usize, y: usize, n: i32, p: f32, q: f32): void {
  const end = <usize>n << 2;
  let o: usize = 0;
  if (isVector(op)) {
    const vp = f32x4.splat(p), vq = f32x4.splat(q);
    for (; o + 16 <= end; o += 16) v128.store(y + o, unaryVector(op, v128.load(x + o), vp, vq));
  }
  for (; o < end; o += 4) store<f32>(y + o, unaryScalar(op, load<f32>(x + o), p, q));
}

// @ts-ignore: decorator
@inline
function derivScalar(op: i32, x: f32, y: f32, p: f32, q: f32): f32 {
  switch (op) {
    case NEG: return -1;
    case EXP: return y;
    case LOG: return 1 / x;
    case SQRT: return 0.5 / y;
    case ABS: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case SIGMOID: return y * (1 - y);
    case TANH: return 1 - y * y;
    case RELU: return x > 0 ? 1 : 0;
    case LEAKY: return x > 0 ? 1 : p;
    case SOFTPLUS: return sigmoidf(x);
    case SQUARE: return 2 * x;
    case POW: return p * Mathf.pow(x, p - 1);
    case CLAMP: return x >= p && x <= q ? 1 : 0;
    default: return p; // SCALE
  }
}

// Every op but softplus and pow (scalar Mathf) has a lane-parallel derivative.
// @ts-ignore: decorator
@inline
function derivVector(op: i32, x: v128, y: v128, vp: v128, vq: v128): v128 {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  switch (op) {
    case NEG: return f32x4.splat(-1);
    case EXP: return y;
    case LOG: return f32x4.div(one, x);
    case SQRT: return f32x4.div(f32x4.splat(0.5), y);
    case ABS: return v128.bitselect(one, v128.bitselect(f32x4.splat(-1), zero, f32x4.lt(x, zero)), f32x4.gt(x, zero));
    case SIGMOID: return f32x4.mul(y, f32x4.sub(one, y));
    case TANH: return f32x4.sub(one, f32x4.mul(y, y));
    case RELU: return v128.bitselect(one, zero, f32x4.gt(x, zero));
    case LEAKY: return v128.bitselect(one, vp, f32x4.gt(x, zero));
    case SQUARE: return f32x4.add(x, x);
    case CLAMP: return v128.bitselect(one, zero, v128.and(f32x4.ge(x, vp), f32x4.le(x, vq)));
    default: return vp; // SCALE
  }
}

// dx += dy * f'(x), y = f(x)
export function unary_backward_f32(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, p: f32, q: f32): void {
  const end = <usize>n << 2;
  let o: usize = 0;
  if (op != SOFTPLUS && op != POW) {
    const vp = f32x4.splat(p), vq = f32x4.splat(q);
    for (; o + 16 <= end; o += 16) {
      const g = f32x4.mul(v128.load(dy + o), derivVector(op, v128.load(x + o), v128.load(y + o), vp, vq));
      v128.store(dx + o, f32x4.add(v128.load(dx + o), g));
    }
  }
  for (; o < end; o += 4) {
    const g = load<f32>(dy + o) * derivScalar(op, load<f32>(x + o), load<f32>(y + o), p, q);
    store<f32>(dx + o, load<f32>(dx + o) + g);
  }
}

// @ts-ignore: decorator
@inline
function binScalar(op: i32, x: f32, y: f32): f32 {
  switch (op) {
    case ADD: return x + y;
    case SUB: return x - y;
    case MUL: return x * y;
    case DIV: return x / y;
    case MAXIMUM: return x >= y ? x : y;
    default: return x <= y ? x : y;
  }
}

// @ts-ignore: decorator
@inline
function binVector(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(x, y);
    case SUB: return f32x4.sub(x, y);
    case MUL: return f32x4.mul(x, y);
    case DIV: return f32x4.div(x, y);
    case MAXIMUM: return v128.bitselect(x, y, f32x4.ge(x, y));
    default: return v128.bitselect(x, y, f32x4.le(x, y));
  }
}

// @ts-ignore: decorator
@inline
function bOffset(mode: i32, i: i32, j: i32, n: i32): usize {
  return mode == FULL ? <usize>i * <usize>n + <usize>j : mode == ROW ? <usize>j : mode == COL ? <usize>i : 0;
}

// a: (m,n), b per mode -> y: (m,n); y may alias a
export function binary_f32(op: i32, a: usize, b: usize, y: usize, m: i32, n: i32, mode: i32): void {
  if (m <= 0 || n <= 0) return;
  for (let i = 0; i < m; i++) {
    const row = (<usize>i * <usize>n) << 2;
    let j = 0;
    if (mode == FULL || mode == ROW) {
      const bRow = mode == FULL ? b + row : b;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(y + row + o, binVector(op, v128.load(a + row + o), v128.load(bRow + o)));
      }
    } else {
      const vb = v128.load32_splat(b + (bOffset(mode, i, 0, n) << 2));
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(y + row + o, binVector(op, v128.load(a + row + o), vb));
      }
    }
    for (; j < n; j++) {
      const o = row + (<usize>j << 2);
      store<f32>(y + o, binScalar(op, load<f32>(a + o), load<f32>(b + (bOffset(mode, i, j, n) << 2))));
    }
  }
}

// @ts-ignore: decorator
@inline
function gradAVector(op: i32, x: v128, y: v128, g: v128): v128 {
  switch (op) {
    case ADD: case SUB: return g;
    case MUL: return f32x4.mul(g, y);
    case DIV: return f32x4.div(g, y);
    case MAXIMUM: return v128.bitselect(g, f32x4.splat(0), f32x4.ge(x, y));
    default: return v128.bitselect(g, f32x4.splat(0), f32x4.le(x, y));
  }
}

// @ts-ignore: decorator
@inline
function gradBVector(op: i32, x: v128, y: v128, g: v128): v128 {
  switch (op) {
    case ADD: return g;
    case SUB: return f32x4.neg(g);
    case MUL: return f32x4.mul(g, x);
    case DIV: return f32x4.div(f32x4.mul(f32x4.neg(g), x), f32x4.mul(y, y));
    case MAXIMUM: return v128.bitselect(f32x4.splat(0), g, f32x4.ge(x, y));
    default: return v128.bitselect(f32x4.splat(0), g, f32x4.le(x, y));
  }
}

// @ts-ignore: decorator
@inline
function gradAScalar(op: i32, x: f32, y: f32, g: f32): f32 {
  switch (op) {
    case ADD: case SUB: return g;
    case MUL: return g * y;
    case DIV: return g / y;
    case MAXIMUM: return x >= y ? g : 0;
    default: return x <= y ? g : 0;
  }
}

// @ts-ignore: decorator
@inline
function gradBScalar(op: i32, x: f32, y: f32, g: f32): f32 {
  switch (op) {
    case ADD: return g;
    case SUB: return -g;
    case MUL: return g * x;
    case DIV: return -g * x / (y * y);
    case MAXIMUM: return x >= y ? 0 : g;
    default: return x <= y ? 0 : g;
  }
}

// da(m,n) += dy * d(a op b)/da; db (shape per mode) += broadcast-reduced dy * d/db,
// accumulated in index order (col and scalar modes add lane by lane, in order).
export function binary_backward_f32(op: i32, a: usize, b: usize, dy: usize, da: usize, db: usize,
  m: i32, n: i32, mode: i32, hasDa: bool, hasDb: bool): void {
  if (m <= 0 || n <= 0) return;
  const reduce = mode == COL || mode == SCALAR;
  let s: f32 = hasDb && mode == SCALAR ? load<f32>(db) : 0;
  for (let i = 0; i < m; i++) {
    const row = (<usize>i * <usize>n) << 2;
    if (hasDb && mode == COL) s = load<f32>(db + (<usize>i << 2));
    const bRow = mode == FULL ? b + row : b;
    const dbRow = mode == FULL ? db + row : db;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const x = v128.load(a + row + o), g = v128.load(dy + row + o);
      const y = reduce ? v128.load32_splat(b + (bOffset(mode, i, 0, n) << 2)) : v128.load(bRow + o);
      if (hasDa) v128.store(da + row + o, f32x4.add(v128.load(da + row + o), gradAVector(op, x, y, g)));
      if (hasDb) {
        const gb = gradBVector(op, x, y, g);
        if (reduce) {
          s += f32x4.extract_lane(gb, 0); s += f32x4.extract_lane(gb, 1);
          s += f32x4.extract_lane(gb, 2); s += f32x4.extract_lane(gb, 3);
        } else {
          v128.store(dbRow + o, f32x4.add(v128.load(dbRow + o), gb));
        }
      }
    }
    for (; j < n; j++) {
      const o = row + (<usize>j << 2);
      const bo = bOffset(mode, i, j, n) << 2;
      const x = load<f32>(a + o), y = load<f32>(b + bo), g = load<f32>(dy + o);
      if (hasDa) store<f32>(da + o, load<f32>(da + o) + gradAScalar(op, x, y, g));
      if (hasDb) {
        if (reduce) s += gradBScalar(op, x, y, g);
        else store<f32>(db + bo, load<f32>(db + bo) + gradBScalar(op, x, y, g));
      }
    }
    if (hasDb && mode == COL) store<f32>(db + (<usize>i << 2), s);
  }
  if (hasDb && mode == SCALAR) store<f32>(db, s);
}
