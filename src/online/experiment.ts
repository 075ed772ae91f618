/**
 * `dpgcn experiment --protocol online`: for each seed, the models are
 * trained offline on the market's logged history exactly as under the
 * ranking protocol (fitModel on that seed's ranking split, each model's
 * ranking recipe), then every policy runs closed-loop on the same N users
 * with the same market seed. Non-learning policies run first, so `NAME:static`
 * sees the model before the online learner of the same model changes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import type { Dataset } from '../data/types.js';
import { MODEL_NAMES, BASELINE_NAMES, type ModelConfig, type ModelName, type Model } from '../models/types.js';
import { isModelName, releaseModel } from '../models/registry.js';
import { traitsOf } from '../models/traits.js';
import { GraphRecommender } from '../models/graph_models.js';
import { configFor, deriveSeed, prepareSplit } from '../recsys/split.js';
import { fitModel } from '../recsys/fit.js';
import { meanSd } from '../eval/metrics.js';
import type { MeanSd } from '../eval/result_types.js';
import { DiversityRule, MyopicOracle, PopularityPolicy, RandomPolicy, StaticModelPolicy } from './baselines.js';
import { LinearBandit, type BanditKind } from './bandits.js';
import { Planner } from './planner.js';
import { ONLINE_PAIRS, pairedDiff, type PairedDiff } from './paired.js';
import { SLATE_DEFAULTS, SlatePolicy, type SlatePolicyOptions } from './slate_policy.js';
import { LoggedSlateEnv } from './logged_slate_env.js';
import { loggedHistories, onlineUsers, runOnline, type OnlineRunResult } from './run.js';
import type { MarketParams } from './market.js';
import type { ClosedLoopMarket } from './market.js';
import { ServedPolicy, type OnlinePolicy } from './policy.js';
import { writeTrained } from '../recsys/train_file.js';
import { Recommender } from '../recsys/recommender.js';

export const ONLINE_REFERENCES = ['random', 'popularity', 'egreedy', 'linucb', 'thompson', 'oracle', 'planner', 'diversity'] as const;
const EXTRA_REFERENCES: string[] = [];
/** The model whose item towers the bandits explore over. */
export const BANDIT_BASE: ModelName = 'dp-gcn';

export interface PolicySpec { name: string; model?: ModelName; kind: 'reference' | 'static' | 'online' | 'served' }

/**
 * `--models` under the online protocol: model names, NAME:static, NAME:served (the trained model saved
 * as a model file and driven through the serving library's Recommender), the references, or all (the
 * seven models and the references).
 */
export function parseOnlinePolicies(spec: string): PolicySpec[] {
  const s = spec.trim();
  const names = s === 'all' ? [...MODEL_NAMES, ...ONLINE_REFERENCES] : s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const known = `${[...MODEL_NAMES, ...BASELINE_NAMES].join(', ')}, NAME:static, NAME:served, ${[...ONLINE_REFERENCES, ...EXTRA_REFERENCES].join(', ')}`;
  if (names.length === 0) throw new UserError(`--models: expected a comma-separated list of ${known}`);
  const out: PolicySpec[] = [];
  for (const n of names) {
    if (out.some((p) => p.name === n)) continue;
    if ([...ONLINE_REFERENCES, ...EXTRA_REFERENCES].includes(n)) { out.push({ name: n, kind: 'reference' }); continue; }
    const [m, suffix, ...rest] = n.split(':');
    if (!isModelName(m) || rest.length || (suffix !== undefined && suffix !== 'static' && suffix !== 'served')) {
      throw new UserError(`--models: unknown policy "${n}" under --protocol online (known: ${known})`);
    }
    const learns = traitsOf(m).learnsOnline;
    out.push({ name: n, model: m, kind: suffix === 'served' ? 'served' : suffix === 'static' || !learns ? 'static' : 'online' });
  }
  return out;
}

/** Simulated users per seed by default (docs/online.md: what a 10-seed run costs). */
export const ONLINE_USERS = 100;
/** Seeds of `--protocol online` by default. */
export const ONLINE_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export interface OnlineExperimentOptions {
  dataset: Dataset;
  policies: PolicySpec[];
  seeds: number[];
  overrides?: Partial<ModelConfig>;
  /** Simulated users per seed (default ONLINE_USERS). */
  users?: number;
  params?: Partial<MarketParams>;
  onRun?(info: { policy: string; seed: number }): void;
  /** Options of the online decision layer (validation tuning only). */
  slate?: SlatePolicyOptions;
}

export interface OnlineMetrics {
  totalClicks: MeanSd; clicksPerSession: MeanSd; sessionLength: MeanSd; regret: MeanSd; coverage: MeanSd; ctrCurve: number[];
  /** Sessions per user over the horizon (retention). */
  sessionsPerUser: MeanSd;
  /** Mean true satisfaction of the users after the horizon (a diagnostic). */
  satisfaction: MeanSd;
}

export interface OnlinePolicyResult {
  name: string;
  online: OnlineMetrics;
  /** Offline training of the policy's model (mean over seeds), when it has one. */
  trainSeconds?: number;
  /** Amortised wall time of one online learning step (feedback event incl. its DDPG update), mean over seeds. */
  learnMsPerEvent?: number;
  /** The same in CPU time of the process (the cost, where other jobs share the machine), mean over seeds. */
  learnCpuMsPerEvent?: number;
  /** Mean over seeds of the policy's diagnostics (the decision layer: action saturation, critic loss, ...), and of slate overlap. */
  diagnostics?: Record<string, number>;
  perSeed: (OnlineRunResult & { seed: number })[];
}

export interface OnlineExperimentResult {
  dataset: string;
  protocol: 'online';
  seeds: number[];
  users: number;
  market: MarketParams;
  models: OnlinePolicyResult[];
  /** Paired per-seed differences a - b (ONLINE_PAIRS whose two policies ran), on total clicks then on sessions per user. */
  paired: PairedDiff[];
}

export async function runOnlineExperiment(o: OnlineExperimentOptions): Promise<OnlineExperimentResult> {
  const ds = o.dataset, nUsers = o.users ?? ONLINE_USERS;
  if (!ds.oracle?.market) throw new UserError(`${ds.name}: --protocol online needs the synthetic market (--data synthetic)`);
  const per = new Map<string, (OnlineRunResult & { seed: number })[]>(o.policies.map((p) => [p.name, []]));
  const trainS = new Map<string, number[]>();
  const seen: { market?: MarketParams } = {};
  const needed = new Set<ModelName>(o.policies.flatMap((p) => (p.model ? [p.model] : [])));
  if (o.policies.some((p) => ['egreedy', 'linucb', 'thompson'].includes(p.name))) needed.add(BANDIT_BASE);
  for (const seed of o.seeds) {
    const base = configFor('ranking', o.overrides ?? {});
    const prepared = prepareSplit(ds, 'ranking', seed, base);
    const models = new Map<ModelName, Model>();
    const served = new Map<ModelName, string>();
    for (const name of needed) {
      o.onRun?.({ policy: `train ${name}`, seed });
      const config = configFor('ranking', o.overrides ?? {}, name);
      const fit = fitModel(name, ds, prepared, config);
      models.set(name, fit.model);
      trainS.set(name, [...(trainS.get(name) ?? []), fit.trainSeconds]);
      if (o.policies.some((p) => p.kind === 'served' && p.model === name)) {
        // the serving path exactly: a model file written as `dpgcn train` writes it, loaded by Recommender.load
        const file = path.join(tmpDir(), `${name}-${seed}.dpgcn`);
        await writeTrained(file, { name, ds, dataSpec: ds.name, prepared, config, fit });
        served.set(name, file);
      }
    }
    const recs = new Map<string, Recommender>();
    for (const p of o.policies) if (p.kind === 'served') recs.set(p.name, await Recommender.load(served.get(p.model!)!));
    const users = onlineUsers(ds, nUsers, seed), logged = loggedHistories(ds);
    const policyRng = (name: string) => new Rng(deriveSeed(seed, name, 'online'));
    const make = (p: PolicySpec): ((m: ClosedLoopMarket) => OnlinePolicy) => {
      if (p.name === 'random') return () => new RandomPolicy(ds.numItems, policyRng(p.name));
      if (p.name === 'popularity') return (m) => new PopularityPolicy(ds, m.params.slate);
      if (p.name === 'oracle') return (m) => new MyopicOracle(m);
      if (p.name === 'diversity') return (m) => new DiversityRule(m);
      if (p.name === 'planner') return (m) => new Planner(m);
      if (p.kind === 'reference') {
        const bm = models.get(BANDIT_BASE)!, tables = bm.servingTables!();
        return () => new LinearBandit(p.name, p.name as BanditKind, tables.item, tables.dim, logged, policyRng(p.name));
      }
      const model = models.get(p.model!)!, cfg = configFor('ranking', o.overrides ?? {}, p.model!);
      if (p.kind === 'online') return () => slatePolicy(p.name, model as GraphRecommender, ds, logged, policyRng(p.name), o.slate);
      if (p.kind === 'served') return () => new ServedPolicy(p.name, recs.get(p.name)!, ds.userIds, ds.itemIds);
      return () => new StaticModelPolicy(p.name, model, ds, cfg);
    };
    // learners change their model: everything that reads a model unchanged runs before them
    const ordered = [...o.policies.filter((p) => p.kind !== 'online'), ...o.policies.filter((p) => p.kind === 'online')];
    for (const p of ordered) {
      o.onRun?.({ policy: p.name, seed });
      const mk = make(p);
      const r = runOnline(ds, (m) => { seen.market = m.params; return mk(m); }, { users, seed, params: o.params });
      per.get(p.name)!.push({ seed, ...r });
    }
    for (const m of models.values()) releaseModel(m);
    for (const r of recs.values()) r.close();
    for (const f of served.values()) fs.rmSync(f, { force: true });
  }
  const trainMean = (p: PolicySpec) => { const t = p.model ? trainS.get(p.model) : undefined; return t ? t.reduce((a, b) => a + b, 0) / t.length : undefined; };
  return {
    dataset: ds.name, protocol: 'online', seeds: [...o.seeds], users: nUsers, market: seen.market!, paired: pairsOf(per),
    models: o.policies.map((p) => summarisePolicy(p.name, per.get(p.name)!, trainMean(p))),
  };
}

/** Paired differences of every ONLINE_PAIRS pair whose two policies ran, on total clicks then on sessions per user. */
export function pairsOf(per: Map<string, OnlineRunResult[]>): PairedDiff[] {
  const paired: PairedDiff[] = [];
  for (const metric of ['totalClicks', 'sessionsPerUser'] as const) {
    for (const [a, b] of ONLINE_PAIRS) {
      const ra = per.get(a), rb = per.get(b);
      if (ra && rb) paired.push(pairedDiff(a, b, ra.map((r) => r[metric]), rb.map((r) => r[metric]), metric));
    }
  }
  return paired;
}

/** One policy's row: means and sds over its per-seed runs. */
export function summarisePolicy(name: string, rs: (OnlineRunResult & { seed: number })[], trainSeconds?: number): OnlinePolicyResult {
  const ms = (xs: number[]) => meanSd(xs);
  const curve = rs[0].ctrCurve.map((_, j) => rs.reduce((a, r) => a + r.ctrCurve[j], 0) / rs.length);
  const learn = rs.filter((r) => r.learnMsPerEvent !== undefined).map((r) => r.learnMsPerEvent!);
  const cpu = rs.filter((r) => r.learnCpuMsPerEvent !== undefined).map((r) => r.learnCpuMsPerEvent!);
  return {
    name,
    online: { totalClicks: ms(rs.map((r) => r.totalClicks)), clicksPerSession: ms(rs.map((r) => r.clicksPerSession)),
      sessionLength: ms(rs.map((r) => r.sessionLength)), regret: ms(rs.map((r) => r.regret)), coverage: ms(rs.map((r) => r.coverage)), ctrCurve: curve,
      sessionsPerUser: ms(rs.map((r) => r.sessionsPerUser)), satisfaction: ms(rs.map((r) => r.satisfaction)) },
    ...(trainSeconds !== undefined ? { trainSeconds } : {}),
    ...(learn.length ? { learnMsPerEvent: learn.reduce((a, b) => a + b, 0) / learn.length } : {}),
    ...(cpu.length ? { learnCpuMsPerEvent: cpu.reduce((a, b) => a + b, 0) / cpu.length } : {}),
    diagnostics: meanDiagnostics(rs),
    perSeed: rs,
  };
}

/**
 * Runs of disjoint seed sets (e.g. seeds 1-5 and 6-10 in two processes) as one result: per-seed rows joined
 * by policy in seed order, then means, pairs and training time recomputed over all of them.
 */
export function mergeOnlineResults(parts: OnlineExperimentResult[]): OnlineExperimentResult {
  const per = new Map<string, (OnlineRunResult & { seed: number })[]>(), train = new Map<string, number[]>();
  for (const r of parts) for (const m of r.models) {
    per.set(m.name, [...(per.get(m.name) ?? []), ...m.perSeed]);
    if (m.trainSeconds !== undefined) train.set(m.name, [...(train.get(m.name) ?? []), ...m.perSeed.map(() => m.trainSeconds!)]);
  }
  for (const rs of per.values()) rs.sort((a, b) => a.seed - b.seed);
  const seeds = parts.flatMap((r) => r.seeds).sort((a, b) => a - b), names = parts[0].models.map((m) => m.name);
  return { ...parts[0], seeds, paired: pairsOf(per),
    models: names.map((n) => summarisePolicy(n, per.get(n)!, train.has(n) ? train.get(n)!.reduce((a, b) => a + b, 0) / train.get(n)!.length : undefined)) };
}

/** The decision layer acting online over model: LinUCB on its item tower with TD3 knobs, the model's scores as the prior knob. */
function slatePolicy(name: string, model: GraphRecommender, ds: Dataset, logged: (u: number) => Int32Array, rng: Rng, opts?: SlatePolicyOptions): OnlinePolicy {
  if (!model.scoreItems || !model.servingTables) throw new Error(`${name}: the online decision layer needs the dot head`);
  const release = model.freeze(), tables = model.servingTables(), f = ds.itemFeatures;
  const col = Math.max(0, f.names.indexOf('subcategory')), w = f.names.length;
  const categories = w ? Int32Array.from({ length: ds.numItems }, (_, i) => f.values[i * w + col]) : new Int32Array(ds.numItems);
  const bandit = new LinearBandit(name, 'linucb', tables.item, tables.dim, logged, rng.fork());
  const pol = new SlatePolicy(name, bandit, { userVectors: tables.user, prior: (u, h) => model.scoreItems!(u, h), categories }, rng, opts);
  const episodes = opts?.pretrainEpisodes ?? SLATE_DEFAULTS.pretrainEpisodes;
  if (episodes > 0) pol.pretrain(new LoggedSlateEnv(pol.scorer, ds), episodes, rng.fork());
  return Object.assign(pol, { close: release });
}

function meanDiagnostics(rs: OnlineRunResult[]): Record<string, number> {
  const out: Record<string, number> = { slateOverlap: rs.reduce((a, r) => a + r.slateOverlap, 0) / rs.length };
  for (const k of Object.keys(rs[0].diagnostics ?? {})) out[k] = rs.reduce((a, r) => a + (r.diagnostics?.[k] ?? NaN), 0) / rs.length;
  return out;
}

let tmp: string | null = null;
/** A private directory for this process's model files (removed at exit). */
function tmpDir(): string {
  if (!tmp) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-online-'));
    const dir = tmp;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return tmp;
}

const f = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const pm = (m: MeanSd, d: number) => `${f(m.mean, d)}±${f(m.sd, d)}`;

/** The printed table: one row per policy. */
export function renderOnlineTable(r: OnlineExperimentResult): string {
  const head = ['policy', 'total clicks', 'sessions/user', 'clicks/session', 'session length', 'regret', 'coverage', 'CTR first→last', 'overlap', 'learn ms/event'];
  const rows = r.models.map((m) => {
    const c = m.online.ctrCurve;
    return [m.name, pm(m.online.totalClicks, 0), pm(m.online.sessionsPerUser, 2), pm(m.online.clicksPerSession, 2), pm(m.online.sessionLength, 2), pm(m.online.regret, 0),
      pm(m.online.coverage, 3), `${f(c[0], 3)}→${f(c[c.length - 1], 3)}`, f(m.diagnostics?.slateOverlap ?? NaN, 3), m.learnMsPerEvent !== undefined ? f(m.learnMsPerEvent, 3) : '-'];
  });
  const all = [head, ...rows], w = head.map((_, c) => Math.max(...all.map((x) => x[c].length)));
  const line = (x: string[]) => x.map((s, c) => (c === 0 ? s.padEnd(w[c]) : s.padStart(w[c]))).join('  ');
  const p = r.market;
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line), '',
    ...(r.paired.length ? [renderPaired(r.paired), ''] : []),
    `data ${r.dataset}, protocol online, seeds ${r.seeds.join(',')}, ${r.users} users over ${p.days} days, slate ${p.slate}`,
    `market: ${p.dynamics ? 'dynamics on' : 'dynamics off'}; interest step ${p.interestStep}, fatigue ${p.fatigue} (decay ${p.fatigueDecay}/slate, ${p.fatigueDayDecay}/day), `
      + `boredom ${p.boredom} (decay ${p.boredomDecay}/slate, ${p.boredomDayDecay}/day), exit ${p.exitBase} + ${p.exitGrowth} per no-click slate, at most ${p.maxSlates} slates`,
    `        clickbait logit ${p.bait}, satisfaction memory ${p.satMemory} sensitivity ${p.satSensitivity} (click logit ${p.satClick}), return ${p.returnMin}..${p.returnMax} per day`,
    'regret: expected clicks of the myopic oracle\'s slate minus the shown slate\'s, summed over slates (negative: better than myopic)'].join('\n');
}

/** The paired differences, one line each: a - b: mean, sd, 95% CI, n (and whether the CI excludes 0). */
export function renderPaired(ps: PairedDiff[]): string {
  const name = (p: PairedDiff) => `${p.a} - ${p.b}`, w = Math.max(...ps.map((p) => name(p).length));
  const lines = ['paired per-seed differences (mean, sd, 95% CI Student t):'];
  for (const p of ps) {
    const d = p.metric === 'totalClicks' ? 0 : 2;
    const sign = p.n < 2 ? '' : p.ci95[0] > 0 ? '  > 0' : p.ci95[1] < 0 ? '  < 0' : '  ~ 0';
    lines.push(`  ${p.metric.padEnd(15)} ${name(p).padEnd(w)}  ${f(p.mean, d).padStart(8)}  sd ${f(p.sd, d).padStart(7)}  CI [${f(p.ci95[0], d)}, ${f(p.ci95[1], d)}]  n ${p.n}${sign}`);
  }
  return lines.join('\n');
}
