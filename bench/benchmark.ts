/**
 * `npm run bench`: the kernel suite and the training-step suite, printed as
 * tables (the same code as `dpgcn bench kernels` and `dpgcn bench train`).
 * Pass --quick for a short run.
 */
import { benchKernels } from '../src/bench/kernels.js';
import { benchTrain } from '../src/bench/train.js';

const quick = process.argv.includes('--quick');
const log = (s: string) => console.log(s);
console.log('# kernels');
const k = benchKernels({ quick, log });
const m = k.machine;
console.log(`machine: triad ${m.triadGBs['1']?.toFixed(1)} GB/s (1 thread), ${m.triadGBs.all?.toFixed(1)} GB/s (all); FMA peak ${m.peakGflopsPerCore?.toFixed(1)} GFLOP/s per core`);
console.log('\n# training step (LightGCN-style, d=64, 4,096 triples)');
benchTrain(['js', 'wasm', 'native'], quick ? ['ml100k'] : ['ml100k', 'powerlaw'], quick ? 3 : 10, log);
