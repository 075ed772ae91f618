/** Reference sparse and indexing kernels (CSR SpMM, max-pool, gather/scatter, top-k). */

// A: CSR (rows,cols), x: (cols,d) -> y: (rows,d)
export function spmm(rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array, x: Float32Array,
  y: Float32Array, rows: number, _cols: number, d: number, beta: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    for (let c = 0; c < d; c++) y[o + c] = beta === 0 ? 0 : beta * y[o + c];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const v = values[p], xo = colIdx[p] * d;
      for (let c = 0; c < d; c++) y[o + c] += v * x[xo + c];
    }
  }
}

// A: CSR (rows,cols), x: (rows,d) -> y: (cols,d)
export function spmmT(rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array, x: Float32Array,
  y: Float32Array, rows: number, cols: number, d: number, beta: number): void {
  for (let j = 0; j < cols * d; j++) y[j] = beta === 0 ? 0 : beta * y[j];
  for (let i = 0; i < rows; i++) {
    const xo = i * d;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const v = values[p], o = colIdx[p] * d;
      for (let c = 0; c < d; c++) y[o + c] += v * x[xo + c];
    }
  }
}

export function segmentMax(rowPtr: Int32Array, colIdx: Int32Array, x: Float32Array, y: Float32Array,
  arg: Int32Array, rows: number, _cols: number, d: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    for (let c = 0; c < d; c++) {
      let best = 0, bi = -1;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const v = x[colIdx[p] * d + c];
        if (bi < 0 || v > best) { best = v; bi = colIdx[p]; }
      }
      y[o + c] = best; arg[o + c] = bi;
    }
  }
}

export function segmentMaxBackward(arg: Int32Array, dy: Float32Array, dx: Float32Array, rows: number,
  _cols: number, d: number): void {
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < d; c++) {
      const a = arg[i * d + c];
      if (a >= 0) dx[a * d + c] += dy[i * d + c];
    }
  }
}

export function gatherRows(table: Float32Array, idx: Int32Array, out: Float32Array, _tableRows: number,
  nIdx: number, d: number): void {
  for (let i = 0; i < nIdx; i++) {
    const s = idx[i] * d, o = i * d;
    for (let c = 0; c < d; c++) out[o + c] = table[s + c];
  }
}

export function scatterAddRows(src: Float32Array, idx: Int32Array, table: Float32Array, _tableRows: number,
  nIdx: number, d: number): void {
  for (let i = 0; i < nIdx; i++) {
    const t = idx[i] * d, o = i * d;
    for (let c = 0; c < d; c++) table[t + c] += src[o + c];
  }
}

export function scoreTopK(items: Float32Array, q: Float32Array, nItems: number, d: number, k: number,
  exclude: Uint8Array | null, outIdx: Int32Array, outScore: Float32Array): number {
  // Keep the best k in a sorted array: simple and exact, the oracle for the heap-based versions.
  let count = 0;
  for (let i = 0; i < nItems; i++) {
    if (exclude && exclude[i]) continue;
    let s = 0;
    for (let c = 0; c < d; c++) s += items[i * d + c] * q[c];
    const sf = Math.fround(s);
    if (count === k && !(sf > outScore[k - 1])) continue;
    let pos = count < k ? count++ : k - 1;
    while (pos > 0 && sf > outScore[pos - 1]) { outScore[pos] = outScore[pos - 1]; outIdx[pos] = outIdx[pos - 1]; pos--; }
    outScore[pos] = sf; outIdx[pos] = i;
  }
  for (let j = count; j < k; j++) { outIdx[j] = -1; outScore[j] = -Infinity; }
  return count;
}

export function scoreI8(items: Int8Array, scale: Float32Array, q: Int16Array, qScale: number, nItems: number, d: number, out: Float32Array): void {
  // integer products summed exactly (< 2^31 by the caller's choice of q), then the same two f32 roundings as wasm
  const qs = Math.fround(qScale);
  for (let i = 0; i < nItems; i++) {
    let acc = 0;
    for (let c = 0, o = i * d; c < d; c++) acc += items[o + c] * q[c];
    out[i] = Math.fround(Math.fround(qs * scale[i]) * Math.fround(acc));
  }
}

export function boundCandidates(approx: Float32Array, scale: Float32Array, alpha: number, n: number, k: number,
  exclude: Uint8Array | null, out: Int32Array): number {
  if (k <= 0) return 0;
  // the k-th best lower bound: an insertion list of k (most rows fail the first comparison)
  const low = new Float64Array(k);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (exclude && exclude[i]) continue;
    const lo = approx[i] - alpha * scale[i];
    if (count === k && !(lo > low[k - 1])) continue;
    let pos = count < k ? count++ : k - 1;
    while (pos > 0 && lo > low[pos - 1]) { low[pos] = low[pos - 1]; pos--; }
    low[pos] = lo;
  }
  const t = count < k ? -Infinity : low[k - 1];
  let m = 0;
  for (let i = 0; i < n; i++) if (!(exclude && exclude[i]) && approx[i] + alpha * scale[i] >= t) out[m++] = i;
  return m;
}
