/**
 * Seeded PRNG: xoshiro128** (Blackman & Vigna), seeded through splitmix32 so
 * that nearby seeds give unrelated streams. Passed explicitly everywhere; the
 * engine never calls Math.random, so a seed fixes every result.
 */

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  private spare: number | null = null;

  constructor(readonly seed: number) {
    const st = { s: seed | 0 };
    this.a = splitmix32(st); this.b = splitmix32(st); this.c = splitmix32(st); this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform uint32. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c ^= t; this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number { return lo + (hi - lo) * this.uniform(); }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return mean + std * s; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n), unbiased (rejection). */
  int(n: number): number {
    if (!(n >= 1) || n > 0x100000000) throw new RangeError(`Rng.int: n must be in [1, 2^32] (got ${n})`);
    if (n <= 0x100000) {
      const lim = Math.floor(0x100000000 / n) * n;
      let x: number;
      do { x = this.nextU32(); } while (x >= lim);
      return x % n;
    }
    return Math.floor(this.uniform() * n);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<A extends { length: number; [i: number]: unknown }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  /** k distinct integers from [0, n), in draw order (Floyd's algorithm for small k). */
  sample(n: number, k: number): Int32Array {
    if (k > n || k < 0) throw new RangeError(`Rng.sample: cannot take ${k} of ${n} without replacement`);
    const out = new Int32Array(k);
    if (k * 4 > n) {
      const all = new Int32Array(n);
      for (let i = 0; i < n; i++) all[i] = i;
      for (let i = 0; i < k; i++) { const j = i + this.int(n - i); const t = all[i]; all[i] = all[j]; all[j] = t; out[i] = all[i]; }
      return out;
    }
    const seen = new Set<number>();
    for (let i = 0; i < k; i++) {
      let x = this.int(n);
      while (seen.has(x)) x = this.int(n);
      seen.add(x); out[i] = x;
    }
    return out;
  }

  /** A new generator whose stream is derived from this one (for independent sub-tasks). */
  fork(): Rng { return new Rng(this.nextU32() | 0); }
}

function rotl(x: number, k: number): number { return (x << k) | (x >>> (32 - k)); }
