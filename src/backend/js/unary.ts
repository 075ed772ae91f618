/** Reference elementwise unary kernels and their derivatives. */
import type { UnaryOp } from '../kernels.js';

function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function unaryValue(op: UnaryOp, x: number, p: number, q: number): number {
  switch (op) {
    case 'neg': return -x;
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'sqrt': return Math.sqrt(x);
    case 'abs': return Math.abs(x);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'relu': return x > 0 ? x : 0;
    case 'leaky_relu': return x > 0 ? x : p * x;
    case 'softplus': return softplus(x);
    case 'square': return x * x;
    case 'pow': return Math.pow(x, p);
    case 'clamp': return x < p ? p : x > q ? q : x;
    case 'scale': return p * x;
    default: return op satisfies never;
  }
}

/** d f(x) / dx given x and y = f(x). */
export function unaryDerivative(op: UnaryOp, x: number, y: number, p: number, q: number): number {
  switch (op) {
    case 'neg': return -1;
    case 'exp': return y;
    case 'log': return 1 / x;
    case 'sqrt': return 0.5 / y;
    case 'abs': return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'sigmoid': return y * (1 - y);
    case 'tanh': return 1 - y * y;
    case 'relu': return x > 0 ? 1 : 0;
    case 'leaky_relu': return x > 0 ? 1 : p;
    case 'softplus': return 1 / (1 + Math.exp(-x));
    case 'square': return 2 * x;
    case 'pow': return p * Math.pow(x, p - 1);
    case 'clamp': return x >= p && x <= q ? 1 : 0;
    case 'scale': return p;
    default: return op satisfies never;
  }
}

export function unary(op: UnaryOp, x: Float32Array, y: Float32Array, n: number, p: number, q: number): void {
  for (let i = 0; i < n; i++) y[i] = unaryValue(op, x[i], p, q);
}

export function unaryBackward(op: UnaryOp, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array,
  n: number, p: number, q: number): void {
  for (let i = 0; i < n; i++) dx[i] += dy[i] * unaryDerivative(op, x[i], y[i], p, q);
}
