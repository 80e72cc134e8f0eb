// Checks a kida-mcp HTML report the way a person would, in Debian's chromium driven by playwright-core (no
// browser download). Usage: node verify.mjs REPORT.html OUTDIR. Prints one JSON object
// {checks: [{name, ok, detail}], screenshots: [...]} and exits 1 when a check failed.
// Run by tools/report/browser_test.go.
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [file, outDir] = process.argv.slice(2);
const url = pathToFileURL(file).href;
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const TABS = ['summary', 'topology', 'metrics', 'events', 'maintenance', 'slow-queries', 'logs', 'db-load', 'recommendations'];

const checks = [];
const shots = [];
const check = (name, ok, detail = '') => checks.push({ name, ok: !!ok, detail: String(detail) });

const browser = await chromium.launch({
  executablePath: exe,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const dialogs = [], blocked = [], errors = [];

// newPage opens a page whose every request except the report file itself is refused and recorded.
async function newPage(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...opts });
  await ctx.route('**/*', (route) => {
    const u = route.request().url().split('#')[0];
    if (u === url) return route.continue();
    blocked.push(u);
    return route.abort();
  });
  const page = await ctx.newPage();
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('request', (r) => { if (r.url().split('#')[0] !== url) blocked.push(r.url()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push('console: ' + m.text()); });
  return page;
}
const visiblePanels = (page) => page.$$eval('[role="tabpanel"]', (ps) => ps.filter((p) => p.offsetParent !== null || p.getClientRects().length > 0).map((p) => p.id));
const shot = async (page, name, opts = {}) => {
  const p = join(outDir, name);
  await page.screenshot({ path: p, ...opts });
  shots.push(p);
};

try {
  const page = await newPage();
  await page.goto(url);
  check('loads with the summary tab', (await visiblePanels(page)).join() === 'summary', (await visiblePanels(page)).join());
  await shot(page, 'summary.png');
  await shot(page, 'summary-full.png', { fullPage: true });

  for (const id of TABS) {
    await page.click(`#tab-${id}`);
    const vis = await visiblePanels(page);
    const sel = await page.getAttribute(`#tab-${id}`, 'aria-selected');
    const hash = await page.evaluate(() => location.hash);
    check(`tab ${id} shows its panel`, vis.length === 1 && vis[0] === id && sel === 'true' && hash === `#${id}`,
      `visible=${vis} aria-selected=${sel} hash=${hash}`);
  }

  await page.click('#tab-summary');
  await page.focus('#tab-summary');
  await page.keyboard.press('ArrowRight');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check('ArrowRight moves to the next tab', focused === 'tab-topology' && (await visiblePanels(page)).join() === 'topology', focused);

  // charts are drawn
  await page.click('#tab-metrics');
  const drawn = await page.$$eval('#metrics svg.plot .ln path', (ps) => ps.filter((p) => p.getAttribute('d') && p.getBBox().width > 100).length);
  const charts = await page.$$eval('#metrics svg.plot', (s) => s.length);
  check('metric charts are drawn', charts >= 10 && drawn >= charts, `${charts} charts, ${drawn} drawn lines`);

  // hover: readout, crosshair synced across the tab's charts
  const box = await page.locator('#m0').boundingBox();
  await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.4);
  const hover = await page.evaluate(() => {
    const f = (id) => {
      const svg = document.getElementById(id), fig = svg.closest('figure');
      return {
        xh: svg.querySelector('.xh').getAttribute('visibility'),
        time: fig.querySelector('.rt').textContent,
        values: [...fig.querySelectorAll('.stats .ro')].map((c) => c.textContent),
        dots: [...svg.querySelectorAll('.dots circle')].filter((c) => c.getAttribute('visibility') === 'visible').length,
      };
    };
    return { m0: f('m0'), m1: f('m1'), m5: f('m5') };
  });
  check('hover shows a readout', hover.m0.xh === 'visible' && /\d\d:\d\d/.test(hover.m0.time) && hover.m0.values.some((v) => /\d/.test(v)) && hover.m0.dots > 0,
    JSON.stringify(hover.m0));
  check('the crosshair is synced across the tab', hover.m1.xh === 'visible' && hover.m1.time === hover.m0.time && hover.m5.values.some((v) => /\d/.test(v)),
    JSON.stringify({ m1: hover.m1, m5: hover.m5 }));
  await shot(page, 'metrics.png');

  // series toggle from the legend
  const btn = page.locator('#metrics figure[data-chart="m0"] button.lg').first();
  await btn.click();
  const off = await page.evaluate(() => {
    const p = document.querySelector('#m0 .ln path[data-s="0"]');
    return { display: getComputedStyle(p).display, pressed: document.querySelector('figure[data-chart="m0"] button.lg').getAttribute('aria-pressed') };
  });
  await btn.click();
  const on = await page.evaluate(() => getComputedStyle(document.querySelector('#m0 .ln path[data-s="0"]')).display);
  check('clicking a legend entry hides and shows its series', off.display === 'none' && off.pressed === 'false' && on !== 'none', JSON.stringify({ off, on }));

  await page.mouse.move(5, 5);
  const gone = await page.getAttribute('#m0 .xh', 'visibility');
  check('leaving the chart hides the crosshair', gone === 'hidden', gone);

  // untrusted text shows as text
  await page.click('#tab-slow-queries');
  for (const s of await page.$$('#slow-queries details summary, #logs details summary')) await s.evaluate((e) => e.parentElement.open = true);
  const sq = await page.innerText('#slow-queries');
  await shot(page, 'slow-queries.png');
  await page.click('#tab-logs');
  const logs = await page.innerText('#logs');
  await page.click('#tab-events');
  const ev = await page.innerText('#events');
  const sinks = await page.evaluate(() => document.querySelectorAll('img,iframe,object,embed,link,form').length);
  const seen = {
    sql: sq.includes('</script><script>alert(1)</script>') && sq.includes('"><img src=x onerror=alert(1)>'),
    log: logs.includes('</script><script>alert(1)</script>') && logs.includes('"><img src=x onerror=alert(1)>'),
    event: ev.includes('<!-- <script>') && ev.includes('</style>'),
  };
  check('injection strings show as text', seen.sql && seen.log && seen.event && sinks === 0, JSON.stringify({ ...seen, sinks }));
  await page.click('#tab-db-load');
  await shot(page, 'db-load.png');

  // a finding links to its tab
  await page.click('#tab-summary');
  await page.click('#summary .finding a[href="#metrics"] >> nth=0');
  check('a finding links to its tab', (await visiblePanels(page)).join() === 'metrics', (await visiblePanels(page)).join());

  // deep link
  const deep = await newPage();
  await deep.goto(url + '#slow-queries');
  await deep.waitForTimeout(100);
  const dv = await visiblePanels(deep);
  const dsel = await deep.getAttribute('#tab-slow-queries', 'aria-selected');
  const top = await deep.evaluate(() => window.scrollY);
  check('deep link #slow-queries opens its tab', dv.join() === 'slow-queries' && dsel === 'true' && top === 0, `visible=${dv} selected=${dsel} scrollY=${top}`);

  // dark mode
  const dark = await newPage({ colorScheme: 'dark' });
  await dark.goto(url + '#metrics');
  await dark.waitForTimeout(100);
  const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const rgb = (bg.match(/\d+/g) || []).map(Number);
  check('dark mode follows prefers-color-scheme', rgb.length >= 3 && rgb[0] + rgb[1] + rgb[2] < 150, bg);
  await shot(dark, 'metrics-dark.png');

  // print shows every panel
  await page.emulateMedia({ media: 'print' });
  const printed = await visiblePanels(page);
  check('print shows every panel', printed.length === TABS.length, printed.join());
  await page.emulateMedia({ media: null });

  // JS off: every panel stacked
  const nojs = await newPage({ javaScriptEnabled: false });
  await nojs.goto(url);
  const stacked = await visiblePanels(nojs);
  const svgs = await nojs.$$eval('svg.plot path', (p) => p.length);
  check('without JavaScript every panel shows, stacked', stacked.length === TABS.length && svgs > 50, `${stacked.join()} svg paths=${svgs}`);
  await shot(nojs, 'nojs.png');
} catch (e) {
  check('run', false, e && e.stack ? e.stack : e);
} finally {
  await browser.close().catch(() => {});
}
check('no dialog fired', dialogs.length === 0, dialogs.join(' | '));
check('no network request was attempted', blocked.length === 0, blocked.join(' '));
check('no script error or CSP violation', errors.length === 0, errors.join(' | '));

process.stdout.write(JSON.stringify({ checks, screenshots: shots }, null, 1) + '\n');
process.exit(checks.every((c) => c.ok) ? 0 : 1);
