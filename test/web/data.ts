/** Where the shared data sets are: ../shared/data beside the checkout (or two levels up, from a git worktree). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/backend/paths.js';

export function dataDir(name: string): string | null {
  for (const up of [['..'], ['..', '..']]) { const p = join(packageRoot(), ...up, 'shared', 'data', name); if (existsSync(p)) return p; }
  return null;
}
