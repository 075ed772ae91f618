/** The ml-100k lightgcn model file the web tests share (trained once, 2 epochs, into dir). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../helpers/cli.js';
import { dataDir } from './data.js';

export async function ensureMl100kModel(dir: string): Promise<string> {
  const file = path.join(dir, 'ml100k-lightgcn.ck');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const r = run(['train', '--data', `movielens:${dataDir('ml-100k')}`, '--model', 'lightgcn', '--protocol', 'ranking', '--epochs', '2', '--out', file]);
  if (r.code !== 0) throw new Error(`training the ml-100k model failed: ${r.err}`);
  return file;
}
