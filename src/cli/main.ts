#!/usr/bin/env node
/**
 * The `dpgcn` command. Each subcommand lives in its own file and registers
 * itself on the program. User errors (bad files, arguments) print one line
 * and exit 2; internal errors keep their stack and exit 1.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { version } from './info.js';

type Registrar = { register(program: Command): void };

// Subcommands are optional modules so a partial build still serves `info`.
const MODULES = ['./info.js', './data.js', './bench.js', './experiment.js', './train.js', './eval.js', './recommend.js', './serve.js', './feedback.js', './worker.js', './segments.js', './export.js'];

async function main(argv: string[]): Promise<void> {
  const program = new Command('dpgcn')
    .description('DP-GCN recommender on a from-scratch numeric engine (js, wasm SIMD and native C++ backends)')
    .version(version())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const m of MODULES) {
    let mod: Registrar;
    try {
      mod = (await import(m)) as Registrar;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(m.slice(2))) continue;
      throw e;
    }
    mod.register(program);
  }
  await program.parseAsync(argv);
}

function isUserError(e: unknown): boolean {
  return e instanceof UserError || (e instanceof Error && e.name === 'KernelArgumentError');
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
    return;
  }
  if (isUserError(e)) {
    process.stderr.write(`dpgcn: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
