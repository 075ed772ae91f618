/**
 * Row softmax / log-softmax and binary cross-entropy with logits, forward
 * and (accumulating) backward.
 *
 * Softmax is max-shifted; the normaliser is summed in f64 so long rows do
 * not drift from the reference (exp dominates the cost anyway). exp/log come
 * from Mathf, accurate to < 1 ulp.
 */
import { sigmoidf } from './elementwise';

// x, y: (m,n); log = 0 softmax, 1 log-softmax
export function softmax_rows_f32(x: usize, y: usize, m: i32, n: i32, log: bool): void {
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * rowBytes, yr = y + <usize>i * rowBytes;
    let mx: f32 = -Infinity;
    for (let o: usize = 0; o < rowBytes; o += 4) {
      const v = load<f32>(xr + o);
      if (v > mx) mx = v;
    }
    let s: f64 = 0;
    if (log) {
      for (let o: usize = 0; o < rowBytes; o += 4) s += <f64>Mathf.exp(load<f32>(xr + o) - mx);
      const ls = <f32>Math.log(s);
      const vm = f32x4.splat(mx), vl = f32x4.splat(ls);
      let o: usize = 0;
      for (; o + 16 <= rowBytes; o += 16) v128.store(yr + o, f32x4.sub(f32x4.sub(v128.load(xr + o), vm), vl));
      for (; o < rowBytes; o += 4) store<f32>(yr + o, load<f32>(xr + o) - mx - ls);
    } else {
      // y may alias x: each element is read before it is overwritten.
      for (let o: usize = 0; o < rowBytes; o += 4) {
        const e = Mathf.exp(load<f32>(xr + o) - mx);
        store<f32>(yr + o, e);
        s += <f64>e;
      }
      const sf = <f32>s;
      const vs = f32x4.splat(sf);
      let o: usize = 0;
      for (; o + 16 <= rowBytes; o += 16) v128.store(yr + o, f32x4.div(v128.load(yr + o), vs));
      for (; o < rowBytes; o += 4) store<f32>(yr + o, load<f32>(yr + o) / sf);
    }
  }
}

// dx += softmax backward: y*(dy - sum(dy*y)), or dy - exp(y)*sum(dy) for log-softmax
export function softmax_rows_backward_f32(y: usize, dy: usize, dx: usize, m: i32, n: i32, log: bool): void {
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const yr = y + <usize>i * rowBytes, gr = dy + <usize>i * rowBytes, xr = dx + <usize>i * rowBytes;
    let s: f64 = 0;
    if (log) {
      for (let o: usize = 0; o < rowBytes; o += 4) s += <f64>load<f32>(gr + o);
      const sf = <f32>s;
      for (let o: usize = 0; o < rowBytes; o += 4) {
        store<f32>(xr + o, load<f32>(xr + o) + (load<f32>(gr + o) - Mathf.exp(load<f32>(yr + o)) * sf));
      }
    } else {
      for (let o: usize = 0; o < rowBytes; o += 4) s += <f64>load<f32>(gr + o) * <f64>load<f32>(yr + o);
      const vs = f32x4.splat(<f32>s);
      let o: usize = 0;
      for (; o + 16 <= rowBytes; o += 16) {
        const g = f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(gr + o), vs));
        v128.store(xr + o, f32x4.add(v128.load(xr + o), g));
      }
      for (; o < rowBytes; o += 4) {
        store<f32>(xr + o, load<f32>(xr + o) + load<f32>(yr + o) * (load<f32>(gr + o) - <f32>s));
      }
    }
  }
}

// out = max(z,0) - z*t + log1p(exp(-|z|))
export function bce_logits_f32(z: usize, t: usize, out: usize, n: i32): void {
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 4) {
    const x = load<f32>(z + o);
    store<f32>(out + o, max(x, <f32>0) - x * load<f32>(t + o) + Mathf.log1p(Mathf.exp(-Mathf.abs(x))));
  }
}

// dz += dy * (sigmoid(z) - t)
export function bce_logits_backward_f32(z: usize, t: usize, dy: usize, dz: usize, n: i32): void {
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 4) {
    const g = load<f32>(dy + o) * (sigmoidf(load<f32>(z + o)) - load<f32>(t + o));
    store<f32>(dz + o, load<f32>(dz + o) + g);
  }
}
