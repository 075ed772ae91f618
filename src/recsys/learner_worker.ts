/**
 * The learner's worker thread (see learner_thread.ts): builds its own copy of
 * the policy from a plain spec, learns from the transitions posted to it in
 * order, and posts back every gate decision (with the actor weights when a
 * version is published). Messages are handled one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { policyFromSpec, type PolicySpec } from './learner.js';
import { OnlineLearner, type LearnerOptions, type LearnerState, type Transition } from './online_learner.js';

const d = workerData as { spec: PolicySpec; opts: LearnerOptions; state: LearnerState | null };
const core = policyFromSpec(d.spec, d.opts.gamma), pub = policyFromSpec(d.spec, d.opts.gamma);
const learner = d.state ? OnlineLearner.restore(core, pub, d.opts, d.state) : new OnlineLearner(core, pub, d.opts);
const stats = () => ({ version: learner.version, transitions: learner.transitions, updates: learner.updates, replay: learner.replaySize, heldOut: learner.heldOut });

parentPort!.on('message', (m: { type: 'add'; transitions: Transition[] } | { type: 'snapshot' | 'drain'; id: number }) => {
  if (m.type === 'add') {
    for (const t of m.transitions) {
      const g = learner.add(t);
      if (g) parentPort!.postMessage({ type: 'gate', record: g, weights: g.publish ? pub.actorWeights() : null, stats: stats() });
    }
  } else if (m.type === 'snapshot') {
    parentPort!.postMessage({ type: 'snapshot', id: m.id, state: learner.snapshot(), stats: stats() });
  } else {
    parentPort!.postMessage({ type: 'drained', id: m.id, stats: stats() });
  }
});
