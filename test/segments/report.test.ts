import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { segmentUsers } from '../../src/segments/segment_users.js';
import { renderSegmentsReport, renderSegmentsSection } from '../../src/experiment/report_segments.js';
import { renderReport } from '../../src/experiment/report.js';
import { CHROMIUM, chromiumAvailable, dumpDom } from '../helpers/chromium.js';
import { testUnless } from '../helpers/skip.js';
import { market, plantedInput } from './fixture.js';

const ds = market();
const result = segmentUsers(plantedInput(ds), { k: 8, seed: 1, projectionUsers: 300 });

function charts(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<svg\b[^>]*data-chart="(\w+)"[^>]*>[\s\S]*?<\/svg>/g)) out.set(m[1], m[0]);
  return out;
}
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

/** What every rendering of the section must show. */
function checkDrawn(html: string): void {
  const c = charts(html);
  for (const k of ['segmentsPca', 'segmentShare', 'segmentProfile']) assert.ok(c.has(k), `${k} drawn`);
  assert.is(count(c.get('segmentsPca')!, /<circle class="pt"/g), 300, 'one point per projected user');
  assert.is(count(c.get('segmentShare')!, /<rect class="bar"/g), 8);
  const rows = result.segments.reduce((a, s) => a + Math.min(3, s.profile.static.flatMap((g) => g.values).filter((v) => v.share > 0).length) + Math.min(3, s.topCategories.length), 0);
  assert.is(count(c.get('segmentProfile')!, /<rect class="seg-bar"/g), rows);
  assert.is(count(c.get('segmentProfile')!, /<rect class="pop-bar"/g), rows);
  assert.match(html, /<table class="comparison targeting">/);
  assert.is(count(html, /<tr class="response">/g), 8);
  assert.match(html, /<table class="comparison segments-validity">/);
}

const R = suite('segments report');

R('the section: scatter, sizes, profile bars, validity and targeting tables', () => {
  const html = renderSegmentsReport(result);
  checkDrawn(html);
  const pts = charts(html).get('segmentsPca')!;
  // points are coloured by segment: as many colours as segments among the points
  assert.is(new Set([...pts.matchAll(/<circle class="pt"[^>]*fill="(#\w+)"/g)].map((m) => m[1])).size, 8);
  for (const s of result.segments) for (const t of s.targets.items) assert.ok(html.includes(`<td>${t.item}</td>`), `target ${t.item} listed`);
});

R('self-contained and deterministic; hooks into the experiment report', () => {
  const html = renderSegmentsReport(result);
  assert.not.match(html, /https?:\/\//);
  assert.not.match(html, /\b(src|href)\s*=/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.is(html, renderSegmentsReport(result));
  const exp = renderReport({ dataset: 'd', protocol: 'din', seeds: [1], models: [] }, renderSegmentsSection(result));
  assert.match(exp, /<h2>Market segments<\/h2>/);
  assert.ok(exp.indexOf('Market segments') > exp.indexOf('Test time (Fig. 6)'));
});

R('strings from the data are escaped', () => {
  const hostile = { ...result, representation: '<script>x</script>', segments: result.segments.map((s) => ({ ...s, targets: { ...s.targets, items: s.targets.items.map((t) => ({ ...t, title: '<img onerror=1>' })) } })) };
  const html = renderSegmentsReport(hostile);
  assert.not.match(html, /<script>x|<img/);
  assert.match(html, /&lt;script&gt;x/);
});

testUnless(R, chromiumAvailable() ? null : `${CHROMIUM} not found (install Debian's chromium package to run the browser check)`,
  'headless Chromium draws the charts', () => { checkDrawn(dumpDom(renderSegmentsReport(result))); });

R.run();
