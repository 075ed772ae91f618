/** `dpgcn bench kernels|train`: kernel and end-to-end training benchmarks (figures, never assertions). */
import type { Command } from 'commander';
import { writeFileSync, renameSync } from 'node:fs';
import type { BackendName } from '../backend/kernels.js';
import { UserError } from '../errors.js';
import { benchKernels, KERNEL_CASES, type KernelCase } from '../bench/kernels.js';
import { benchTrain, trainStepBench, GRAPHS } from '../bench/train.js';
import { readTorchResults, compareWithTorch, renderTorchComparison, writeBenchGraph } from '../bench/torch.js';

function parseBackends(s: string | undefined): BackendName[] {
  const list = (s ?? 'js,wasm,native').split(',').map((x) => x.trim());
  for (const b of list) if (b !== 'js' && b !== 'wasm' && b !== 'native') throw new UserError(`--backends: unknown backend '${b}' (expected js, wasm, native)`);
  return list as BackendName[];
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

export function register(program: Command): void {
  const bench = program.command('bench').description('benchmarks: kernels (GFLOP/s, GB/s vs machine limits) and training steps');
  bench.command('kernels')
    .description('SpMM, GEMM and the SPD kernels per backend and thread count, each checked before timing')
    .option('--json [file]', 'print JSON (or write it to a file)')
    .option('--quick', 'small graph and shapes only, fewer samples')
    .option('--backends <list>', 'comma-separated backends', 'js,wasm,native')
    .option('--cases <list>', `comma-separated groups: ${KERNEL_CASES.join(', ')}`, KERNEL_CASES.join(','))
    .action((o: { json?: string | boolean; quick?: boolean; backends?: string; cases?: string }) => {
      const log = o.json === true ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);
      const cases = (o.cases ?? KERNEL_CASES.join(',')).split(',').map((c) => c.trim());
      for (const c of cases) if (!(KERNEL_CASES as readonly string[]).includes(c)) throw new UserError(`--cases: unknown case '${c}' (expected ${KERNEL_CASES.join(', ')})`);
      const r = benchKernels({ quick: o.quick, backends: parseBackends(o.backends), log, cases: cases as KernelCase[] });
      const m = r.machine;
      const limits = `machine: STREAM triad ${m.triadGBs['1']?.toFixed(1) ?? '?'} GB/s (1 thread), ${m.triadGBs.all?.toFixed(1) ?? '?'} GB/s (${m.threads} threads); fp32 FMA peak ${m.peakGflopsPerCore?.toFixed(1) ?? '?'} GFLOP/s per core`;
      if (o.json === true) console.log(JSON.stringify(r, null, 2));
      else {
        if (typeof o.json === 'string') writeJsonAtomic(o.json, r);
        console.log(limits);
      }
    });
  bench.command('train')
    .description('one LightGCN-style training step (2 SpMM layers, BCE on 4,096 triples, Adam) at d=64 per backend')
    .option('--json [file]', 'print JSON (or write it to a file)')
    .option('--quick', 'the small graph only, fewer steps')
    .option('--backends <list>', 'comma-separated backends', 'js,wasm,native')
    .option('--graphs <list>', 'ml100k,powerlaw', 'ml100k,powerlaw')
    .option('--profile', 'also profile steps: time per phase and kernel, JS -> kernel crossings, allocations, memory by owner')
    .option('--torch-json <file>', 'a result file of bench/torch_train_step.py from this machine: print each backend against it')
    .action((o: { json?: string | boolean; quick?: boolean; backends?: string; graphs?: string; profile?: boolean; torchJson?: string }) => {
      const graphs = (o.quick ? 'ml100k' : o.graphs ?? 'ml100k,powerlaw').split(',');
      for (const g of graphs) if (!GRAPHS[g]) throw new UserError(`--graphs: unknown graph '${g}' (expected ml100k, powerlaw)`);
      // read before the long run: a bad file is one line now, not after minutes
      const torch = o.torchJson !== undefined ? readTorchResults(o.torchJson) : null;
      const log = o.json === true ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);
      const results = benchTrain(parseBackends(o.backends), graphs, o.quick ? 3 : 10, log, o.profile ? (o.quick ? 5 : 20) : 0);
      const vsTorch = torch ? compareWithTorch(results, torch) : undefined;
      if (vsTorch) for (const line of renderTorchComparison(vsTorch)) log(line);
      const out = { results, ...(vsTorch ? { vsTorch } : {}) };
      if (o.json === true) console.log(JSON.stringify(out, null, 2));
      else if (typeof o.json === 'string') writeJsonAtomic(o.json, out);
    });
  bench.command('graph')
    .description('write a benchmark graph (normalised adjacency as CSR) for the PyTorch script in bench/')
    .requiredOption('--graph <name>', 'ml100k or powerlaw')
    .requiredOption('--out <dir>', 'directory: header.json, row_ptr.i32, col_idx.i32, values.f32')
    .action((o: { graph: string; out: string }) => {
      if (!GRAPHS[o.graph]) throw new UserError(`--graph: unknown graph '${o.graph}' (expected ml100k, powerlaw)`);
      writeBenchGraph(GRAPHS[o.graph](), o.out);
    });
  bench.command('train-one', { hidden: true })
    .requiredOption('--backend <name>').requiredOption('--graph <name>').option('--steps <n>', 'timed steps', '10').option('--profile <n>', 'profiled steps', '0')
    .action((o: { backend: string; graph: string; steps: string; profile: string }) => {
      const [b] = parseBackends(o.backend);
      if (!GRAPHS[o.graph]) throw new UserError(`--graph: unknown graph '${o.graph}'`);
      console.log(JSON.stringify(trainStepBench(b, o.graph, Number(o.steps), 64, 4096, Number(o.profile))));
    });
}
