/**
 * Fused Adam / AdamW step over one flat parameter buffer, four lanes at a
 * time. Bias corrections bc1 = 1 - b1^t and bc2 = 1 - b2^t come from the
 * caller, so the kernel holds no step counter.
 */

// @ts-ignore: decorator
@inline
function adamScalar(pp: usize, gp: usize, mp: usize, vp: usize, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32,
  bc1: f32, bc2: f32, decoupled: bool): void {
  let p = load<f32>(pp), g = load<f32>(gp);
  if (decoupled) p -= lr * wd * p;
  else g += wd * p;
  const m = b1 * load<f32>(mp) + (1 - b1) * g;
  const v = b2 * load<f32>(vp) + (1 - b2) * g * g;
  store<f32>(mp, m);
  store<f32>(vp, v);
  store<f32>(pp, p - lr * (m / bc1) / (Mathf.sqrt(v / bc2) + eps));
}

// p, g, m, v: (n), updated in place (g is read only)
export function adam_step_f32(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32,
  eps: f32, wd: f32, bc1: f32, bc2: f32, decoupled: bool): void {
  const end = <usize>n << 2;
  const vlr = f32x4.splat(lr), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), veps = f32x4.splat(eps);
  const vwd = f32x4.splat(wd), vbc1 = f32x4.splat(bc1), vbc2 = f32x4.splat(bc2);
  const v1b1 = f32x4.splat(1 - b1), v1b2 = f32x4.splat(1 - b2), vlrwd = f32x4.splat(lr * wd);
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) {
    let pv = v128.load(p + o), gv = v128.load(g + o);
    if (decoupled) pv = f32x4.sub(pv, f32x4.mul(vlrwd, pv));
    else gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(v1b1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(v1b2, gv), gv));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const den = f32x4.add(f32x4.sqrt(f32x4.div(vv, vbc2)), veps);
    v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(vlr, f32x4.div(mv, vbc1)), den)));
  }
  for (; o < end; o += 4) adamScalar(p + o, g + o, m + o, v + o, lr, b1, b2, eps, wd, bc1, bc2, decoupled);
}
