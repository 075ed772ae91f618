/**
 * Several fits in one process do not pile up memory (npm start once grew to
 * 1.8 GB): the pool gives back what training left idle when a fit ends, a
 * disposed model leaves no live backend allocation behind, and where storage
 * is the JS heap (js, native) RSS after the last fit stays within a bound of
 * RSS after the first. Wasm memory cannot shrink once grown, so there the
 * bound is on live allocations, which is what a leak would raise.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { configFor, prepareSplit } from '../../src/recsys/split.js';
import { fitModel } from '../../src/recsys/fit.js';
import { releaseModel } from '../../src/models/registry.js';
import { currentBackend } from '../../src/backend/registry.js';
import type { ModelName } from '../../src/models/types.js';

const t = suite('recsys/memory');
const MB = 1048576;

t('fits in one process: nothing idle after each fit, no live allocation left by a disposed model, RSS bounded', () => {
  const ds = generateSynthetic({ users: 600, items: 300, interactions: 12000, seed: 4 });
  const rss: number[] = [], live: number[] = [], b = currentBackend();
  (['din', 'dp-gcn', 'din', 'dp-gcn', 'din', 'dp-gcn'] as ModelName[]).forEach((name, k) => {
    const config = { ...configFor('din', {}, name), epochs: 1 };
    const fit = fitModel(name, ds, prepareSplit(ds, 'din', k + 1, config), config);
    if (b.idleBytes) assert.is(b.idleBytes(), 0, `${name}: the pool holds nothing idle after the fit`);
    releaseModel(fit.model);
    b.releaseIdle?.();
    live.push(b.liveAllocations());
    rss.push(process.memoryUsage().rss);
  });
  assert.is(live[live.length - 1], live[1], `live allocations after each fit: ${live.join(', ')}`);
  if (b.name === 'wasm') return;
  const grew = (rss[rss.length - 1] - rss[0]) / MB;
  assert.ok(grew < 96, `RSS grew ${grew.toFixed(0)} MB from the first fit to the last (${rss.map((x) => (x / MB).toFixed(0)).join(', ')} MB)`);
});

t.run();
