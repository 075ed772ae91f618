/**
 * JSON that keeps every float64 exactly. JSON.stringify already prints each
 * finite double as the shortest decimal that parses back to the same bits;
 * what it loses is NaN and the infinities (printed as null) and the sign of
 * -0 (printed as 0). Those four travel as {"$num": "NaN"} and so on, so a fit
 * result decoded on the experiment side is bitwise what the worker computed.
 */

const TAG = '$num';
const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

function tagOf(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return null;
}

/** JSON.stringify that round-trips every number through decodeExact. */
export function encodeExact(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'number') return v;
    const tag = tagOf(v);
    return tag === null ? v : { [TAG]: tag };
  });
}

/** The inverse of encodeExact. */
export function decodeExact<T = unknown>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as Record<string, unknown>)[TAG];
      if (keys.length === 1 && typeof tag === 'string' && tag in SPECIAL) return SPECIAL[tag];
    }
    return v;
  }) as T;
}
