#!/usr/bin/env node
// Builds the native addon (build/Release/dpgcn_native.node) with cmake-js,
// streaming its output. Outside CI a failed build is not fatal: it prints a
// warning, records the reason in build/native-status.json (read by the
// native loader, so `dpgcn info` can say why) and exits 0, so `npm install`
// works on a machine without a compiler; the js and wasm backends remain.
// With CI=true a failed build exits non-zero.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = join(root, 'build', 'native-status.json');
const ci = process.env.CI === 'true';

function writeStatus(status) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify(status) + '\n');
}

function cmakeJsBin() {
  const local = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'cmake-js.cmd' : 'cmake-js');
  if (existsSync(local)) return { cmd: local, args: [] };
  const pkg = createRequire(join(root, 'package.json')).resolve('cmake-js/package.json');
  return { cmd: process.execPath, args: [join(dirname(pkg), 'bin', 'cmake-js')] };
}

function fail(reason) {
  writeStatus({ ok: false, reason });
  if (ci) {
    console.error(`build_native: native addon build failed: ${reason}`);
    process.exit(1);
  }
  console.warn(`\nbuild_native: WARNING: the native backend was not built (${reason}).`);
  console.warn('build_native: dpgcn still works with the wasm and js backends; `dpgcn info` shows this reason.\n');
  process.exit(0);
}

let bin;
try {
  bin = cmakeJsBin();
} catch (err) {
  fail(`cmake-js is not installed (${err.message.split('\n')[0]})`);
}

// Keep the last lines of output: the reason for a failure is usually there.
const tail = [];
const keep = (chunk) => {
  for (const line of chunk.toString().split('\n')) if (line.trim()) tail.push(line.trim());
  tail.splice(0, Math.max(0, tail.length - 40));
};

const child = spawn(bin.cmd, [...bin.args, 'compile'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
child.stdout.on('data', (d) => { process.stdout.write(d); keep(d); });
child.stderr.on('data', (d) => { process.stderr.write(d); keep(d); });
child.on('error', (err) => fail(`could not run cmake-js: ${err.message}`));
child.on('close', (code) => {
  if (code === 0 && existsSync(join(root, 'build', 'Release', 'dpgcn_native.node'))) {
    writeStatus({ ok: true });
    return;
  }
  const hint = tail.find((l) => /not found|not available|No CMAKE_CXX_COMPILER|could not find|error:|^ERROR/i.test(l));
  const why = hint?.replace(/^ERROR( OMG)?\s*/, '');
  fail(why ? `cmake-js compile exited with ${code}: ${why}` : `cmake-js compile exited with ${code}`);
});
