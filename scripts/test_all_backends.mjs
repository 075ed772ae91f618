#!/usr/bin/env node
// Runs the whole uvu suite once per backend (DPGCN_BACKEND=js, wasm, native).
// A backend that is unavailable is skipped with its reason, except under
// CI=true, where every backend must load. Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const only = process.env.DPGCN_TEST_BACKENDS?.split(',').map((s) => s.trim()).filter(Boolean);
const backends = only ?? ['js', 'wasm', 'native'];
const ci = process.env.CI === 'true';
if (!existsSync('dist/test')) {
  console.error('dist/test is missing: run `npm install` (or `npm run build`) first');
  process.exit(2);
}
let passed = 0, failed = 0, skipped = 0;
for (const b of backends) {
  const probe = spawnSync(process.execPath, ['-e', `import('./dist/src/backend/registry.js').then(r => { try { r.getBackend('${b}'); } catch (e) { console.log(e.message); process.exit(3); } })`], { encoding: 'utf8' });
  if (probe.status === 3) {
    if (ci) { console.error(`backend ${b} must load under CI: ${probe.stdout.trim()}`); failed++; continue; }
    console.log(`\n== skipping backend ${b}: ${probe.stdout.trim()}`);
    continue;
  }
  console.log(`\n== DPGCN_BACKEND=${b}`);
  const r = spawnSync(process.execPath, ['node_modules/uvu/bin.js', 'dist/test', '\\.test\\.js$'], {
    env: { ...process.env, DPGCN_BACKEND: b }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(r.stdout);
  const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(r.stdout)?.[1] ?? 0);
  const total = num('Total'), ok = num('Passed'), sk = num('Skipped');
  passed += ok; skipped += sk;
  // uvu's Total counts the tests that ran (test.skip registers none), so skips are not in it
  failed += total - ok;
  if (r.status !== 0 && total - ok === 0) failed++; // crashed before reporting
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
