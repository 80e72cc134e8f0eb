// verify-layout.mjs <report.html> <outDir>: opens a report at 1280 × 900 in chromium and measures that no
// text overflows its box: every tab name in the tab bar is whole (not clipped, not wider than its link,
// inside the bar) and every table header cell of every tab fits. Saves a screenshot of the Summary tab.
// Prints {checks: [{name, ok, detail}], screenshots: [...]} and exits 1 when a check failed.
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [file, outDir] = process.argv.slice(2);
const url = pathToFileURL(file).href;
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const checks = [], shots = [];
const check = (name, ok, detail = '') => checks.push({ name, ok: !!ok, detail: String(detail) });

const browser = await chromium.launch({
  executablePath: exe,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.route('**/*', (route) => (route.request().url().split('#')[0] === url ? route.continue() : route.abort()));
  const page = await ctx.newPage();
  await page.goto(url);
  check('html lang', true, await page.getAttribute('html', 'lang'));

  const tabs = await page.$$eval('[role="tab"]', (as) => {
    const bar = as[0].closest('[role="tablist"]').getBoundingClientRect();
    return as.map((a) => {
      const r = a.getBoundingClientRect();
      return { text: a.textContent.trim(), sw: a.scrollWidth, cw: a.clientWidth, left: r.left, right: r.right, barL: bar.left, barR: bar.right, top: r.top };
    });
  });
  const clipped = tabs.filter((t) => t.sw > t.cw + 1 || t.left < t.barL - 1 || t.right > t.barR + 1);
  check('tab names whole at 1280 px', clipped.length === 0 && tabs.length === 9,
    JSON.stringify(clipped.length ? clipped : tabs.map((t) => `${t.text} ${Math.round(t.right - t.left)}px row@${Math.round(t.top)}`)));
  const rows = new Set(tabs.map((t) => Math.round(t.top)));
  check('tab bar rows', rows.size <= 2, `${rows.size} row(s)`);

  const bad = [];
  for (const id of ['summary', 'topology', 'metrics', 'events', 'maintenance', 'slow-queries', 'logs', 'db-load', 'recommendations']) {
    await page.click(`#tab-${id}`);
    await page.waitForTimeout(50);
    const over = await page.$$eval(`#${id} th`, (ths) => ths.filter((th) => th.offsetParent !== null)
      .filter((th) => th.scrollWidth > th.clientWidth + 1 || th.scrollHeight > th.clientHeight + 1)
      .map((th) => `${th.textContent.trim()} (${th.scrollWidth}>${th.clientWidth})`));
    const n = await page.$$eval(`#${id} th`, (ths) => ths.filter((th) => th.offsetParent !== null).length);
    if (over.length) bad.push(`${id}: ${over.join(', ')}`);
    check(`table headers fit: ${id}`, over.length === 0, over.length ? over.join(', ') : `${n} headers`);
  }
  await page.click('#tab-summary');
  await page.waitForTimeout(50);
  const p = join(outDir, 'summary-1280.png');
  await page.screenshot({ path: p, fullPage: false });
  shots.push(p);
} catch (e) {
  check('run', false, e.stack || e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ checks, screenshots: shots }, null, 1) + '\n');
process.exit(checks.every((c) => c.ok) ? 0 : 1);
