/** Runs the built `dpgcn` command in a child process, as a user would (CI=true: no progress bars). */
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry point. */
export const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

export function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A user error: exit code 2 and exactly one line on stderr, matching pattern. */
export function userError(args: string[], pattern: RegExp): void {
  const r = run(args);
  assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}, stderr ${r.err}`);
  const lines = r.err.trim().split('\n');
  assert.is(lines.length, 1, `one line expected, got: ${r.err}`);
  assert.match(lines[0], pattern);
}
