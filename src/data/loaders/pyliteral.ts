/**
 * The 2014 Amazon metadata files are Python dict literals, not JSON
 * ({'asin': '...', 'categories': [['Books']]}), so JSON.parse fails on them.
 * This parses that subset: dicts, lists, tuples, single/double-quoted strings
 * with backslash escapes, numbers, True/False/None. Throws SyntaxError.
 */
export function parsePyLiteral(s: string): unknown {
  let p = 0;
  const ws = () => { while (p < s.length && /\s/.test(s[p])) p++; };
  const fail = (what: string): never => { throw new SyntaxError(`${what} at position ${p}`); };
  const value = (): unknown => {
    ws();
    const ch = s[p];
    if (ch === '{') {
      p++; const o: Record<string, unknown> = {};
      ws(); if (s[p] === '}') { p++; return o; }
      for (;;) {
        const k = value(); ws();
        if (s[p] !== ':') fail('expected ":"'); p++;
        o[String(k)] = value(); ws();
        if (s[p] === ',') { p++; ws(); if (s[p] === '}') { p++; return o; } continue; }
        if (s[p] === '}') { p++; return o; }
        fail('expected "," or "}"');
      }
    }
    if (ch === '[' || ch === '(') {
      const close = ch === '[' ? ']' : ')'; p++; const a: unknown[] = [];
      ws(); if (s[p] === close) { p++; return a; }
      for (;;) {
        a.push(value()); ws();
        if (s[p] === ',') { p++; ws(); if (s[p] === close) { p++; return a; } continue; }
        if (s[p] === close) { p++; return a; }
        fail(`expected "," or "${close}"`);
      }
    }
    if (ch === "'" || ch === '"') {
      p++; let out = '';
      while (p < s.length && s[p] !== ch) {
        if (s[p] === '\\') {
          const e = s[p + 1]; p += 2;
          if (e === 'n') out += '\n'; else if (e === 't') out += '\t';
          else if (e === 'x') { out += String.fromCharCode(parseInt(s.slice(p, p + 2), 16)); p += 2; }
          else if (e === 'u') { out += String.fromCharCode(parseInt(s.slice(p, p + 4), 16)); p += 4; }
          else out += e;
        } else out += s[p++];
      }
      if (p >= s.length) fail('unterminated string');
      p++; return out;
    }
    const m = /^(True|False|None|-?\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(s.slice(p, p + 40));
    if (!m) fail('unexpected character');
    p += m![0].length;
    return m![0] === 'True' ? true : m![0] === 'False' ? false : m![0] === 'None' ? null : Number(m![0]);
  };
  const v = value(); ws();
  if (p !== s.length) fail('trailing characters');
  return v;
}
