/**
 * Modified Gram-Schmidt on the columns of a row-major (rows x cols) matrix,
 * in place: the orthogonal iterations of the decision layer's action basis
 * and of the segments' graph embedding. A column that vanishes (norm below
 * 1e-12) becomes zero rather than noise blown up to unit length.
 */
export function orthonormalColumns(p: Float64Array, rows: number, cols: number): Float64Array {
  for (let c = 0; c < cols; c++) {
    for (let q = 0; q < c; q++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += p[r * cols + c] * p[r * cols + q];
      for (let r = 0; r < rows; r++) p[r * cols + c] -= dot * p[r * cols + q];
    }
    let s = 0;
    for (let r = 0; r < rows; r++) s += p[r * cols + c] * p[r * cols + c];
    const f = s > 1e-24 ? 1 / Math.sqrt(s) : 0;
    for (let r = 0; r < rows; r++) p[r * cols + c] *= f;
  }
  return p;
}
