/** Locates files of the installed package (build outputs) from compiled code. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The folder holding dpgcn's package.json, found by walking up from this file. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('dpgcn: cannot find the package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
