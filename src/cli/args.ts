/** The CLI's argument helpers: one clear error line per bad argument (a UserError, exit 2), and atomic output files. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { type ModelConfig, type ModelName } from '../models/types.js';
import { PROTOCOLS, configFor, type Protocol } from '../recsys/split.js';
import type { CandidateMode } from '../data/protocols/ranking.js';

/** Writes text to file via a temporary sibling and rename, so readers never see half a file. */
export function writeAtomic(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, text, { flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* never created */ }
    throw new UserError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/**
 * Fails now, not after training, if file cannot be written: a file is in the
 * way of its directory, or file is a directory. A missing directory is fine:
 * the write creates it (results/ is git-ignored, so a fresh clone lacks it).
 */
export function checkWritable(option: string, file: string): void {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UserError(`${option}: ${file} is a directory`);
  let dir = path.dirname(path.resolve(file));
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`${option}: ${dir} is a file, not a directory`);
  try { fs.accessSync(dir, fs.constants.W_OK); } catch { throw new UserError(`${option}: directory ${dir} is not writable`); }
}

export function parseIntArg(option: string, v: string, min = 1): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isInteger(x) || x < min) throw new UserError(`${option}: expected an integer >= ${min}, got "${v}"`);
  return x;
}

export function parseNumberArg(option: string, v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x <= 0) throw new UserError(`${option}: expected a positive number, got "${v}"`);
  return x;
}

export function parseSeeds(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => s === '')) throw new UserError(`--seeds: expected comma-separated integers such as 1,2,3, got "${v}"`);
  const seeds = parts.map((s) => parseIntArg('--seeds', s, 0));
  if (new Set(seeds).size !== seeds.length) throw new UserError(`--seeds: seeds must be distinct, got "${v}"`);
  return seeds;
}

export function parseProtocol(v: string): Protocol {
  if (!(PROTOCOLS as string[]).includes(v)) throw new UserError(`--protocol: expected one of ${PROTOCOLS.join(', ')}, online, got "${v}"`);
  return v as Protocol;
}

const CANDIDATES: CandidateMode[] = ['full', 'sampled', 'rated'];
export function parseCandidates(v: string): CandidateMode {
  if (!(CANDIDATES as string[]).includes(v)) throw new UserError(`--candidates: expected one of ${CANDIDATES.join(', ')}, got "${v}"`);
  return v as CandidateMode;
}

export interface ConfigArgs { dim?: string; epochs?: string; batchSize?: string; lr?: string; loss?: string; negatives?: string; dropout?: string }

export function parseLoss(v: string): 'bce' | 'bpr' {
  if (v !== 'bce' && v !== 'bpr') throw new UserError(`--loss: expected bce or bpr, got "${v}"`);
  return v;
}

/** The model settings the command line sets (the rest come from configFor's defaults). */
export function overridesFrom(o: ConfigArgs): Partial<ModelConfig> {
  const c: Partial<ModelConfig> = {};
  if (o.dim !== undefined) c.dim = parseIntArg('--dim', o.dim);
  if (o.epochs !== undefined) c.epochs = parseIntArg('--epochs', o.epochs);
  if (o.batchSize !== undefined) c.batchSize = parseIntArg('--batch-size', o.batchSize);
  if (o.lr !== undefined) c.lr = parseNumberArg('--lr', o.lr);
  if (o.loss !== undefined) c.loss = parseLoss(o.loss);
  if (o.negatives !== undefined) c.negatives = parseIntArg('--negatives', o.negatives);
  if (o.dropout !== undefined) c.dropout = parseFractionArg('--dropout', o.dropout);
  return c;
}

/** The full config of a run: defaults for the protocol with the command-line settings applied. */
export function configFrom(o: ConfigArgs, protocol: Protocol, model?: ModelName): ModelConfig {
  return configFor(protocol, overridesFrom(o), model);
}

export function parseFractionArg(option: string, v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0 || x >= 1) throw new UserError(`${option}: expected a number in [0, 1), got "${v}"`);
  return x;
}

