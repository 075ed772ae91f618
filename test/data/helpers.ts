/** Shared helpers for data tests: the ../shared/data samples (or null with a message) and temp files. */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { packageRoot } from '../../src/backend/paths.js';

/** Path of a sample under ../shared/data (it may be absent: see missingData). */
export function sharedData(name: string): string {
  return join(packageRoot(), '..', 'shared', 'data', name);
}

/** Why tests of these samples cannot run here (null when every one is present). */
export function missingData(...names: string[]): string | null {
  const gone = names.map(sharedData).filter((p) => !existsSync(p));
  return gone.length ? `${gone.join(', ')} absent` : null;
}

let dir: string | null = null;
/** Writes a temp file and returns its path. */
export function tmpFile(name: string, content: string | Buffer): string {
  dir ??= mkdtempSync(join(tmpdir(), 'dpgcn-data-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
export function tmpPath(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'dpgcn-data-'));
  return join(dir, name);
}

/** Runs fn and returns the error it throws (or fails). */
export async function rejects(fn: () => Promise<unknown>): Promise<Error> {
  try { await fn(); } catch (e) { return e as Error; }
  throw new Error('expected an error, none thrown');
}
