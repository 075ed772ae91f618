/**
 * Row gather (embedding lookup) and scatter-add (its gradient).
 * The caller checked every index against tableRows and every length.
 */

// table: (tableRows,d), idx: (nIdx) -> out: (nIdx,d)
export function gather_rows_f32(table: usize, idx: usize, out: usize, tableRows: i32, nIdx: i32, d: i32): void {
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < nIdx; i++) {
    const r = <usize>load<i32>(idx + (<usize>i << 2));
    memory.copy(out + <usize>i * rowBytes, table + r * rowBytes, rowBytes);
  }
}

// table[idx[i]] += src[i], in increasing i; src: (nIdx,d), table: (tableRows,d)
export function scatter_add_rows_f32(src: usize, idx: usize, table: usize, tableRows: i32, nIdx: i32, d: i32): void {
  const rowBytes = <usize>d << 2;
  const vecBytes = <usize>(d & ~3) << 2;
  for (let i = 0; i < nIdx; i++) {
    const t = table + <usize>load<i32>(idx + (<usize>i << 2)) * rowBytes;
    const s = src + <usize>i * rowBytes;
    let o: usize = 0;
    for (; o < vecBytes; o += 16) v128.store(t + o, f32x4.add(v128.load(t + o), v128.load(s + o)));
    for (; o < rowBytes; o += 4) store<f32>(t + o, load<f32>(t + o) + load<f32>(s + o));
  }
}
