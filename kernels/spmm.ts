/**
 * CSR sparse kernels: SpMM y = beta*y + A x and y = beta*y + A^T x, and the
 * max-pool aggregation (segment max with argmax) and its backward.
 *
 * SpMM works row-wise: for each output row, a block of up to 32 columns is
 * held in eight f32x4 accumulators while the row's entries stream past, so
 * y is written once and each x row is read in 128-byte runs. Each output
 * element is reduced in CSR order starting from beta*y, the order the js
 * reference uses. Any d works: blocks of 32, 16 and 4 lanes, then scalar.
 * A^T x scatters row i's contributions in increasing i, which is exactly the
 * order a stable counting-sort transpose would give. The caller validated
 * the CSR structure (monotone rowPtr, colIdx in range) and every length.
 */

// @ts-ignore: decorator
@inline
function initAcc(yp: usize, beta: f32, vb: v128): v128 {
  return beta == 0 ? f32x4.splat(0) : f32x4.mul(v128.load(yp), vb);
}

// A: CSR (rows,cols), x: (cols,d) -> y: (rows,d)
export function spmm_csr_f32(rowPtr: usize, colIdx: usize, values: usize, x: usize, y: usize,
  rows: i32, cols: i32, d: i32, beta: f32): void {
  const vb = f32x4.splat(beta);
  const dBytes = <usize>d << 2;
  for (let i = 0; i < rows; i++) {
    const p0 = load<i32>(rowPtr + (<usize>i << 2)), p1 = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const yr = y + <usize>i * dBytes;
    let c = 0;
    for (; c + 32 <= d; c += 32) {
      const yp = yr + (<usize>c << 2);
      let a0 = initAcc(yp, beta, vb), a1 = initAcc(yp + 16, beta, vb);
      let a2 = initAcc(yp + 32, beta, vb), a3 = initAcc(yp + 48, beta, vb);
      let a4 = initAcc(yp + 64, beta, vb), a5 = initAcc(yp + 80, beta, vb);
      let a6 = initAcc(yp + 96, beta, vb), a7 = initAcc(yp + 112, beta, vb);
      for (let p = p0; p < p1; p++) {
        const v = v128.load32_splat(values + (<usize>p << 2));
        const xp = x + <usize>load<i32>(colIdx + (<usize>p << 2)) * dBytes + (<usize>c << 2);
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(xp)));
        a1 = f32x4.add(a1, f32x4.mul(v, v128.load(xp, 16)));
        a2 = f32x4.add(a2, f32x4.mul(v, v128.load(xp, 32)));
        a3 = f32x4.add(a3, f32x4.mul(v, v128.load(xp, 48)));
        a4 = f32x4.add(a4, f32x4.mul(v, v128.load(xp, 64)));
        a5 = f32x4.add(a5, f32x4.mul(v, v128.load(xp, 80)));
        a6 = f32x4.add(a6, f32x4.mul(v, v128.load(xp, 96)));
        a7 = f32x4.add(a7, f32x4.mul(v, v128.load(xp, 112)));
      }
      v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32); v128.store(yp, a3, 48);
      v128.store(yp, a4, 64); v128.store(yp, a5, 80); v128.store(yp, a6, 96); v128.store(yp, a7, 112);
    }
    for (; c + 16 <= d; c += 16) {
      const yp = yr + (<usize>c << 2);
      let a0 = initAcc(yp, beta, vb), a1 = initAcc(yp + 16, beta, vb);
      let a2 = initAcc(yp + 32, beta, vb), a3 = initAcc(yp + 48, beta, vb);
      for (let p = p0; p < p1; p++) {
        const v = v128.load32_splat(values + (<usize>p << 2));
        const xp = x + <usize>load<i32>(colIdx + (<usize>p << 2)) * dBytes + (<usize>c << 2);
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(xp)));
        a1 = f32x4.add(a1, f32x4.mul(v, v128.load(xp, 16)));
        a2 = f32x4.add(a2, f32x4.mul(v, v128.load(xp, 32)));
        a3 = f32x4.add(a3, f32x4.mul(v, v128.load(xp, 48)));
      }
      v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32); v128.store(yp, a3, 48);
    }
    for (; c + 4 <= d; c += 4) {
      const yp = yr + (<usize>c << 2);
      let a0 = initAcc(yp, beta, vb);
      for (let p = p0; p < p1; p++) {
        const v = v128.load32_splat(values + (<usize>p << 2));
        const xp = x + <usize>load<i32>(colIdx + (<usize>p << 2)) * dBytes + (<usize>c << 2);
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(xp)));
      }
      v128.store(yp, a0);
    }
    for (; c < d; c++) {
      const yp = yr + (<usize>c << 2);
      let s: f32 = beta == 0 ? 0 : beta * load<f32>(yp);
      for (let p = p0; p < p1; p++) {
        const xp = x + <usize>load<i32>(colIdx + (<usize>p << 2)) * dBytes + (<usize>c << 2);
        s += load<f32>(values + (<usize>p << 2)) * load<f32>(xp);
      }
      store<f32>(yp, s);
    }
  }
}

// y[0..count) = beta * y, with beta = 0 clearing (NaN included).
function scaleRows(y: usize, count: usize, beta: f32): void {
  const end = y + (count << 2);
  const vb = f32x4.splat(beta);
  let p = y;
  if (beta == 0) {
    memory.fill(y, 0, count << 2);
    return;
  }
  for (; p + 16 <= end; p += 16) v128.store(p, f32x4.mul(v128.load(p), vb));
  for (; p < end; p += 4) store<f32>(p, beta * load<f32>(p));
}

// A: CSR (rows,cols), x: (rows,d) -> y: (cols,d)
export function spmm_csr_t_f32(rowPtr: usize, colIdx: usize, values: usize, x: usize, y: usize,
  rows: i32, cols: i32, d: i32, beta: f32): void {
  const dBytes = <usize>d << 2;
  scaleRows(y, <usize>cols * <usize>d, beta);
  const d4 = <usize>(d & ~3) << 2;
  for (let i = 0; i < rows; i++) {
    const p0 = load<i32>(rowPtr + (<usize>i << 2)), p1 = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const xr = x + <usize>i * dBytes;
    for (let p = p0; p < p1; p++) {
      const s = load<f32>(values + (<usize>p << 2));
      const v = f32x4.splat(s);
      const yr = y + <usize>load<i32>(colIdx + (<usize>p << 2)) * dBytes;
      let o: usize = 0;
      for (; o + 32 <= d4; o += 32) {
        v128.store(yr + o, f32x4.add(v128.load(yr + o), f32x4.mul(v, v128.load(xr + o))));
        v128.store(yr + o, f32x4.add(v128.load(yr + o, 16), f32x4.mul(v, v128.load(xr + o, 16))), 16);
      }
      for (; o < d4; o += 16) v128.store(yr + o, f32x4.add(v128.load(yr + o), f32x4.mul(v, v128.load(xr + o))));
      for (; o < dBytes; o += 4) store<f32>(yr + o, load<f32>(yr + o) + s * load<f32>(xr + o));
    }
  }
}

// Max-pool aggregation: y[i,c] = max over row i's entries of x[colIdx, c], arg = that colIdx
// (first on ties, strict >). Empty row: 0 and -1.
export function segment_max_f32(rowPtr: usize, colIdx: usize, x: usize, y: usize, arg: usize,
  rows: i32, cols: i32, d: i32): void {
  const dBytes = <usize>d << 2;
  for (let i = 0; i < rows; i++) {
    const p0 = load<i32>(rowPtr + (<usize>i << 2)), p1 = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const yr = y + <usize>i * dBytes, ar = arg + <usize>i * dBytes;
    if (p0 == p1) {
      memory.fill(yr, 0, dBytes);
      for (let c = 0; c < d; c++) store<i32>(ar + (<usize>c << 2), -1);
      continue;
    }
    const j0 = load<i32>(colIdx + (<usize>p0 << 2));
    let c = 0;
    for (; c + 8 <= d; c += 8) {
      const off = <usize>c << 2;
      const x0 = x + <usize>j0 * dBytes + off;
      let b0 = v128.load(x0), b1 = v128.load(x0, 16);
      let g0 = i32x4.splat(j0), g1 = g0;
      for (let p = p0 + 1; p < p1; p++) {
        const j = load<i32>(colIdx + (<usize>p << 2));
        const xp = x + <usize>j * dBytes + off;
        const v0 = v128.load(xp), v1 = v128.load(xp, 16);
        const k0 = f32x4.gt(v0, b0), k1 = f32x4.gt(v1, b1);
        const vj = i32x4.splat(j);
        b0 = v128.bitselect(v0, b0, k0); g0 = v128.bitselect(vj, g0, k0);
        b1 = v128.bitselect(v1, b1, k1); g1 = v128.bitselect(vj, g1, k1);
      }
      v128.store(yr + off, b0); v128.store(yr + off, b1, 16);
      v128.store(ar + off, g0); v128.store(ar + off, g1, 16);
    }
    for (; c < d; c++) {
      const off = <usize>c << 2;
      let best = load<f32>(x + <usize>j0 * dBytes + off);
      let bj = j0;
      for (let p = p0 + 1; p < p1; p++) {
        const j = load<i32>(colIdx + (<usize>p << 2));
        const v = load<f32>(x + <usize>j * dBytes + off);
        if (v > best) { best = v; bj = j; }
      }
      store<f32>(yr + off, best);
      store<i32>(ar + off, bj);
    }
  }
}

// dx[arg[i,c], c] += dy[i,c] where arg >= 0, in increasing i. dx: (cols,d).
export function segment_max_backward_f32(arg: usize, dy: usize, dx: usize, rows: i32, cols: i32, d: i32): void {
  const dBytes = <usize>d << 2;
  for (let i = 0; i < rows; i++) {
    const ar = arg + <usize>i * dBytes, gr = dy + <usize>i * dBytes;
    for (let c = 0; c < d; c++) {
      const off = <usize>c << 2;
      const a = load<i32>(ar + off);
      if (a >= 0) {
        const o = dx + <usize>a * dBytes + off;
        store<f32>(o, load<f32>(o) + load<f32>(gr + off));
      }
    }
  }
}
