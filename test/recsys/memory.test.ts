/**
 * Several fits in one process do not pile up memory: the pool gives back
 * what training left idle when a fit ends, and RSS after the last fit stays
 * within a bound of RSS after the first (npm start once grew to 1.8 GB).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { configFor, prepareSplit } from '../../src/recsys/split.js';
import { fitModel } from '../../src/recsys/fit.js';
import { currentBackend } from '../../src/backend/registry.js';
import type { ModelName } from '../../src/models/types.js';

const t = suite('recsys/memory');
const MB = 1048576;

t('fits in one process: nothing idle after each, RSS after the last within 96 MB of RSS after the first', () => {
  const ds = generateSynthetic({ users: 600, items: 300, interactions: 12000, seed: 4 });
  const rss: number[] = [];
  (['din', 'dp-gcn', 'din', 'dp-gcn', 'din', 'dp-gcn'] as ModelName[]).forEach((name, k) => {
    const config = { ...configFor('din', {}, name), epochs: 1 };
    const fit = fitModel(name, ds, prepareSplit(ds, 'din', k + 1, config), config);
    fit.model.dispose?.();
    const b = currentBackend();
    if (b.idleBytes) assert.is(b.idleBytes(), 0, `${name}: the pool holds nothing idle after the fit`);
    (globalThis as { gc?: () => void }).gc?.();
    rss.push(process.memoryUsage().rss);
  });
  const grew = (rss[rss.length - 1] - rss[1]) / MB;
  assert.ok(grew < 96, `RSS grew ${grew.toFixed(0)} MB from the second fit to the last (${rss.map((x) => (x / MB).toFixed(0)).join(', ')} MB)`);
});

t.run();
