/** `dpgcn info`: version, Node, backends with availability, CPU features, threads. */
import type { Command } from 'commander';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendStatus, defaultBackendName } from '../backend/registry.js';
import { packageRoot } from '../backend/paths.js';

export function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function cpuFeatures(): string[] {
  try {
    const txt = readFileSync('/proc/cpuinfo', 'utf8');
    const flags = /^flags\s*:\s*(.*)$/m.exec(txt)?.[1].split(/\s+/) ?? [];
    return ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'neon', 'asimd'].filter((f) => flags.includes(f));
  } catch {
    return [];
  }
}

export function infoReport() {
  return {
    version: version(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: { model: cpus()[0]?.model ?? 'unknown', cores: cpus().length, features: cpuFeatures() },
    backends: backendStatus(),
    default: defaultBackendName(),
  };
}

export function register(program: Command): void {
  program.command('info')
    .description('version, Node, backends (availability, SIMD, ISA, threads) and CPU features')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const r = infoReport();
      if (opts.json) { console.log(JSON.stringify(r, null, 2)); return; }
      console.log(`dpgcn ${r.version} on Node ${r.node} (${r.platform})`);
      console.log(`cpu: ${r.cpu.model}, ${r.cpu.cores} cores, features: ${r.cpu.features.join(' ') || 'none detected'}`);
      console.log('backends:');
      for (const b of r.backends) {
        const detail = b.available ? `simd=${b.simd ?? '-'} isa=${b.isa ?? '-'} threads=${b.threads ?? 1}` : `unavailable: ${b.reason}`;
        console.log(`  ${b.name === r.default ? '*' : ' '} ${b.name.padEnd(7)} ${detail}`);
      }
      console.log(`default: ${r.default} (DPGCN_BACKEND=${process.env.DPGCN_BACKEND ?? 'auto'})`);
    });
}
