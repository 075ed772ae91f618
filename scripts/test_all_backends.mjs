#!/usr/bin/env node
// Runs the whole uvu suite once per backend (DPGCN_BACKEND=js, wasm, native).
// A backend that is unavailable is skipped with its reason, except under
// CI=true, where every backend must load. Ends with one "N passed, N failed, N skipped" line.
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
const notRun = [];
for (const b of backends) {
  const probe = spawnSync(process.execPath, ['-e', `import('./dist/src/backend/registry.js').then(r => { try { r.getBackend('${b}'); } catch (e) { console.log(e.message); process.exit(3); } })`], { encoding: 'utf8' });
  if (probe.status === 3) {
    if (ci) { console.error(`backend ${b} must load under CI: ${probe.stdout.trim()}`); failed++; continue; }
    console.log(`\n== skipping backend ${b}: ${probe.stdout.trim()}`);
    notRun.push(b);
    continue;
  }
  console.log(`\n== DPGCN_BACKEND=${b}`);
  const r = spawnSync(process.execPath, ['node_modules/uvu/bin.js', 'dist/test', '\\.test\\.js$'], {
    env: { ...process.env, DPGCN_BACKEND: b }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(r.stdout);
  // uvu colours its summary; its Total counts the tests that ran, not the skipped ones
  const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? 0);
  const total = num('Total'), ok = num('Passed'), sk = num('Skipped');
  passed += ok; skipped += sk;
  failed += total - ok;
  if (r.status !== 0 && total - ok === 0) failed++; // crashed before reporting
}
// uvu counts a test registered with .skip (test/helpers/skip.ts) under "Skipped"; a backend that could
// not load is named here too, since none of its tests ran
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped${notRun.length ? ` (backends not run: ${notRun.join(', ')})` : ''}`);
process.exit(failed > 0 ? 1 : 0);
