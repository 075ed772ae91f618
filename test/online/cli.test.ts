/** `dpgcn experiment --protocol online` on a tiny market: the JSON file's shape, the table, and bad input (exit 2, one line). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, userError } from '../helpers/cli.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const DATA = 'synthetic:users=60,items=40,interactions=600,seed=4';
const SMALL = ['--dim', '8', '--epochs', '1', '--online-users', '8'];


const t = suite('online/cli');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-online-'));

t('--protocol online writes the issue\'s JSON and prints the table', () => {
  const file = path.join(tmp, 'online.json');
  const report = path.join(tmp, 'online.html');
  const r = run(['experiment', '--data', DATA, '--protocol', 'online', '--models', 'random,gcn:static,oracle,planner,diversity', '--seeds', '1,2', ...SMALL, '--json', file, '--report', report]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /clicks\/session/);
  assert.match(r.out, /oracle/);
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.is(j.protocol, 'online');
  assert.equal(j.seeds, [1, 2]);
  assert.equal(j.models.map((m: { name: string }) => m.name), ['random', 'gcn:static', 'oracle', 'planner', 'diversity']);
  assert.match(r.out, /planner - oracle/);
  assert.equal(j.paired.map((p: { a: string; b: string; metric: string }) => `${p.metric} ${p.a}-${p.b}`),
    ['totalClicks planner-oracle', 'totalClicks diversity-oracle', 'sessionsPerUser planner-oracle', 'sessionsPerUser diversity-oracle']);
  for (const p of j.paired) { assert.is(p.n, 2); assert.ok(p.ci95[0] <= p.mean && p.mean <= p.ci95[1]); }
  const html = fs.readFileSync(report, 'utf8');
  for (const c of ['online-ctr', 'online-retention', 'online-paired-clicks']) assert.ok(html.includes(`data-chart="${c}"`), c);
  assert.not.match(html, /<script|https?:/);
  for (const m of j.models) {
    assert.is(m.perSeed.length, 2);
    for (const k of ['totalClicks', 'sessionsPerUser', 'clicksPerSession', 'sessionLength', 'regret', 'coverage']) {
      assert.type(m.online[k].mean, 'number'); assert.type(m.online[k].sd, 'number');
    }
    assert.ok(Array.isArray(m.online.ctrCurve));
  }
});

t('bad input: one line, exit 2', () => {
  userError(['experiment', '--data', DATA, '--protocol', 'online', '--models', 'random,bandit'], /--models: unknown policy "bandit"/);
  userError(['experiment', '--data', 'csv:/nonexistent.csv', '--protocol', 'online', '--models', 'random'], /synthetic/);
  userError(['experiment', '--data', DATA, '--protocol', 'online', '--models', 'random', '--online-users', '0'], /--online-users/);
  userError(['experiment', '--data', DATA, '--protocol', 'online', '--models', 'random', '--market-dynamics', 'maybe'], /--market-dynamics: expected on or off/);
});

t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
t.run();
