// run.mjs - the dashboard's end-to-end test: a real `yaa serve` (SQLite, offline provider,
// temp dirs, free port) driven by Debian's chromium through playwright-core. It signs in,
// creates a channel, starts a run and watches its timeline reach `completed` live, plays the
// video, checks the run's cost, creates and revokes a key, checks that a read key sees no
// admin screens, and checks basics (title, labels, contrast, no console errors) on each page.
// Screenshots go to $YAA_TEST_OUTPUT (default build/test-output/web); with
// YAA_DOCS_SCREENSHOTS=1 small copies also go to docs/img/ for docs/DASHBOARD.md.
//
// Exit: 0 all passed, 1 a check failed, 77 skipped: build/yaa has no `serve` command yet, or
// its server still lacks the channel registry or the pipeline (while they land on main).
// YAA_E2E_MOCK=1 runs against e2e/mock-server.mjs instead (development only).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, '..');
const root = resolve(web, '..');
const build = resolve(process.env.YAA_BUILD_DIR ?? join(root, 'build'));
const yaa = resolve(process.env.YAA_BIN ?? join(build, 'yaa'));
const out = resolve(process.env.YAA_TEST_OUTPUT ?? join(build, 'test-output', 'web'));
const dist = resolve(process.env.YAA_WEB_DIR ?? join(web, 'dist'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const docsImg = join(root, 'docs', 'img');
const docsShots = process.env.YAA_DOCS_SCREENSHOTS === '1';
const useMock = process.env.YAA_E2E_MOCK === '1';
const RUN_TIMEOUT_MS = Number(process.env.YAA_E2E_RUN_TIMEOUT_MS ?? 600000);

let passed = 0;
let failed = 0;
const log = (...a) => console.log('[e2e]', ...a);

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  } catch (e) {
    failed++;
    log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(base, proc, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc && proc.exitCode !== null) throw new Error(`yaa serve exited with ${proc.exitCode} (see server.log)`);
    for (const p of ['/health', '/api/v1/health']) {
      try {
        const r = await fetch(base + p);
        if (r.status === 200 || r.status === 503) return;
      } catch {
        /* not up yet */
      }
    }
    await sleep(250);
  }
  throw new Error(`yaa serve did not answer /health within ${ms / 1000}s`);
}

// ---- preconditions -------------------------------------------------------------------
if (!useMock) {
  if (!existsSync(yaa)) {
    console.log(`e2e: SKIP - ${yaa} is not built (make build)`);
    process.exit(77);
  }
  const help = spawnSync(yaa, ['serve', '--help'], { encoding: 'utf8', timeout: 20000 });
  if (help.status === 2) {
    console.log(`e2e: SKIP - ${yaa} has no 'serve' command yet (yaa serve --help exited 2: ${(help.stderr || '').trim()})`);
    process.exit(77);
  }
}
if (!existsSync(join(dist, 'index.html'))) {
  console.error(`e2e: ${dist}/index.html is missing: build the dashboard first (make web)`);
  process.exit(1);
}
if (!existsSync(chromiumPath)) {
  console.error(`e2e: ${chromiumPath} is missing: install Debian's chromium (scripts/install-deps)`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
if (docsShots) mkdirSync(docsImg, { recursive: true });

// ---- the server ----------------------------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'yaa-web-e2e-'));
const adminKey = `yaa_${randomBytes(32).toString('base64url')}`;
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
let server = null;
let mock = null;
const serverLog = join(out, 'server.log');

async function startServer() {
  if (useMock) {
    const { startMock } = await import('./mock-server.mjs');
    mock = await startMock({ port, adminKey });
    return;
  }
  for (const d of ['data', 'output']) mkdirSync(join(tmp, d), { recursive: true });
  if (existsSync(join(root, 'channels'))) cpSync(join(root, 'channels'), join(tmp, 'channels'), { recursive: true });
  else mkdirSync(join(tmp, 'channels'));
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:///${join(tmp, 'data', 'yaa.db')}`,
    QUEUE_URL: 'db',
    OUTPUT_DIR: join(tmp, 'output'),
    CHANNELS_DIR: join(tmp, 'channels'),
    PROMPTS_DIR: join(root, 'prompts'),
    ADMIN_API_KEY: adminKey,
    YAA_WEB_DIR: dist,
    LLM_PROVIDER: 'offline',
    EMBEDDING_PROVIDER: 'hash',
    RATE_LIMIT_PER_MINUTE: '100000',
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    LOG_LEVEL: 'info',
    // The media knobs of src/media/media.h: a quick encode keeps the run to a minute or two.
    YAA_MEDIA_PRESET: process.env.YAA_MEDIA_PRESET ?? 'ultrafast',
    YAA_MEDIA_FPS: process.env.YAA_MEDIA_FPS ?? '12',
  };
  for (const k of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'YOUTUBE_REFRESH_TOKEN', 'LOKI_URL', 'REDIS_URL', 'TAVILY_API_KEY']) delete env[k];
  const fd = openSync(serverLog, 'w');
  // Migrations first when the binary has the command (serve may also run them itself).
  const up = spawnSync(yaa, ['db', 'upgrade'], { cwd: tmp, env, stdio: ['ignore', fd, fd], timeout: 60000 });
  log(`yaa db upgrade exited ${up.status}`);
  server = spawn(yaa, ['serve', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], { cwd: tmp, env, stdio: ['ignore', fd, fd] });
  await waitHealthy(base, server);
}

async function stopServer() {
  if (mock) mock.server.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    for (let i = 0; i < 40 && server.exitCode === null; i++) await sleep(250);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
}

/** While the server is assembled piece by piece on main, a build can have `serve` without
 * the channel registry or the pipeline behind it. Returns why the test cannot run yet, or
 * null. A preflight run that does start is cancelled at once. */
async function missingPieces() {
  if (useMock) return null;
  const h = { 'X-API-Key': adminKey, 'Content-Type': 'application/json' };
  const ch = await fetch(`${base}/api/v1/channels`, { headers: h });
  const chBody = await ch.json().catch(() => ({}));
  if (ch.status === 503) return `the channels API is not available in this build (${chBody.detail})`;
  const id = chBody.channels?.find((c) => c.channel_id !== '_template')?.channel_id;
  if (!id) return null;
  // `yaa run` ships with the pipeline: when it is there, no preflight run is needed.
  if (spawnSync(yaa, ['run', '--help'], { stdio: 'ignore', timeout: 20000 }).status === 0) return null;
  const r = await fetch(`${base}/api/v1/pipeline/run`, { method: 'POST', headers: h, body: JSON.stringify({ channel_id: id, topic: 'preflight', dry_run: true }) });
  const rb = await r.json().catch(() => ({}));
  if (r.status === 503) return `runs cannot start in this build (${rb.detail})`;
  if (r.status !== 202) return null;
  for (let i = 0; i < 60; i++) {
    await sleep(250);
    const d = await (await fetch(`${base}/api/v1/pipeline/runs/${rb.run_id}`, { headers: h })).json();
    const errs = JSON.stringify(d.errors ?? []);
    if (d.status === 'failed' && /not built into|not available/.test(errs)) return `the pipeline is not built into this yaa yet (${errs})`;
    if (d.status !== 'pending') break;
  }
  await fetch(`${base}/api/v1/pipeline/runs/${rb.run_id}/cancel`, { method: 'POST', headers: h });
  return null;
}

// ---- page checks ---------------------------------------------------------------------
/** Console errors: every console.error and page error fails the test, except the failed
 * loads the app causes on purpose (scope probes answered 401/403/404). */
const consoleErrors = [];
const expectedFailures = [/\/artifacts\/quality\.json$/, /\/api\/v1\/admin\/api-keys$/, /\/api\/v1\/pipeline\/runs\/00000000-0000-4000-8000-000000000000\/cancel$/, /\/api\/v1\/dashboard\/summary\?limit=1$/];

function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url ?? '';
    if (/^Failed to load resource/.test(msg.text()) && expectedFailures.some((re) => re.test(url))) return;
    consoleErrors.push(`${page.url()}: ${msg.text()} ${url}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: uncaught ${err.message}`));
}

function assertNoConsoleErrors(where) {
  const errs = consoleErrors.splice(0);
  assert(errs.length === 0, `console errors on ${where}:\n  ${errs.join('\n  ')}`);
}

/** Lighthouse-style basics: a title, a label for every control, alt text, one h1, and
 * text contrast of at least 4.5:1 (3:1 for large text). */
async function basics(page, where) {
  const r = await page.evaluate(() => {
    const problems = [];
    if (!document.title.trim()) problems.push('empty <title>');
    if (!document.documentElement.lang) problems.push('no <html lang>');
    const controls = document.querySelectorAll('input:not([type=hidden]), select, textarea');
    for (const el of controls) {
      const id = el.id;
      const labelled = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (id && document.querySelector(`label[for="${CSS.escape(id)}"]`)) || el.closest('label');
      if (!labelled) problems.push(`unlabelled ${el.tagName.toLowerCase()}#${id || '?'}`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!(el.textContent || '').trim() && !el.getAttribute('aria-label') && !el.getAttribute('title')) problems.push(`nameless ${el.tagName.toLowerCase()}`);
    }
    for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('img without alt');
    if (document.querySelectorAll('h1').length !== 1) problems.push(`${document.querySelectorAll('h1').length} <h1> elements`);

    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const blend = (fg, bg) => ({ r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1 });
    const bgOf = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) {
          layers.push(c);
          if (c.a >= 1) break;
        }
      }
      let bg = { r: 12, g: 16, b: 24, a: 1 };
      for (const l of layers.reverse()) bg = blend(l, bg);
      return bg;
    };
    let checked = 0;
    const low = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim()) continue;
      seen.add(el);
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || cs.display === 'none' || el.closest('[aria-hidden=true], .sr-only, .skip, .u-legend, .u-axis, button:disabled, option')) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const fg0 = parse(cs.color);
      if (!fg0) continue;
      const bg = bgOf(el);
      const fg = blend({ ...fg0, a: fg0.a * Number(cs.opacity || 1) }, bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      checked++;
      if (ratio < (large ? 3 : 4.5)) low.push(`${ratio.toFixed(2)}:1 "${n.textContent.trim().slice(0, 30)}"`);
    }
    if (low.length) problems.push(`low contrast: ${low.slice(0, 5).join('; ')}`);
    return { problems, checked };
  });
  assert(r.checked > 0, `${where}: no text found`);
  assert(r.problems.length === 0, `${where}: ${r.problems.join(' | ')}`);
}

async function shot(page, name, { full = true } = {}) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: full });
  if (docsShots) {
    const file = join(docsImg, `${name}.png`);
    await page.screenshot({ path: file, fullPage: false, scale: 'css' });
    // Palette PNGs are a quarter of the size; pngquant is optional (Debian package).
    spawnSync('pngquant', ['--quality', '60-85', '--speed', '1', '--force', '--ext', '.png', file]);
  }
}

async function visit(page, path, name) {
  await page.goto(base + path);
  await page.locator('main h1').first().waitFor();
  return name;
}

// ---- the test ------------------------------------------------------------------------
let context = null;
const profile = mkdtempSync(join(tmpdir(), 'yaa-web-chromium-'));
try {
  await startServer();
  log(`server on ${base}; output in ${out}`);
  const missing = await missingPieces();
  if (missing) {
    await stopServer();
    rmSync(profile, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
    console.log(`e2e: SKIP - ${missing}`);
    process.exit(77);
  }
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(20000);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  page.on('dialog', (d) => d.accept());

  let channelId = 'e2e_demo';
  let runId = null;
  let readKey = null;

  await check('sign-in page: title, labels, clear 401 message', async () => {
    await page.goto(base + '/');
    await page.getByLabel('API key').waitFor();
    assert((await page.title()).includes('yaa'), `title is "${await page.title()}"`);
    await basics(page, 'sign-in');
    await shot(page, 'signin', { full: false });
    await page.getByLabel('API key').fill('yaa_not_a_real_key_000000000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    assert(/401/.test(text) && /not valid/.test(text), `401 message: "${text}"`);
    // The failed sign-in itself answers 401 on purpose.
    consoleErrors.splice(0);
  });

  await check('sign in with the admin key: dashboard with cards and health', async () => {
    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByTestId('stats').waitFor();
    await page.getByTestId('health').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    assert(await nav.getByRole('link', { name: 'Settings' }).isVisible(), 'admin sees Settings');
    await basics(page, 'dashboard');
    assertNoConsoleErrors('dashboard');
  });

  await check('create a channel', async () => {
    await visit(page, '/channels', 'channels');
    await page.getByTestId('new-channel').click();
    await page.getByLabel('Channel id').fill(channelId);
    await page.getByLabel('Name', { exact: true }).fill('E2E Demo');
    await page.getByLabel('Category').fill('tech');
    await page.getByLabel('Description').fill('Made by the dashboard test');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.locator(`[data-channel-id="${channelId}"]`).waitFor();
    await basics(page, 'channels');
    await shot(page, 'channels');
    assertNoConsoleErrors('channels');
  });

  await check('start a run and watch the timeline reach completed live', async () => {
    // Run on an example channel with a full brand guide when the repo has one.
    const list = await (await fetch(`${base}/api/v1/channels`, { headers: { 'X-API-Key': adminKey } })).json();
    const ids = list.channels.map((c) => c.channel_id);
    const runChannel = ['tech_review_ko', 'home_cooking_en'].find((x) => ids.includes(x)) ?? channelId;
    await page.goto(`${base}/runs/new?channel_id=${encodeURIComponent(runChannel)}`);
    await page.getByLabel('Topic').fill('Three tips for a faster laptop');
    assert(await page.getByLabel(/Dry run/).isChecked(), 'dry run is the default');
    await basics(page, 'new run');
    await shot(page, 'new-run', { full: false });
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    runId = page.url().split('/').pop();
    log(`run ${runId} on ${runChannel}`);
    await page.getByTestId('timeline').waitFor();
    // Live: the page must show a stage running (or done) before the run completes, from
    // the event stream, without reloading.
    const seen = new Set();
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    let final = null;
    while (Date.now() < deadline) {
      const states = await page.$$eval('li[data-stage]', (els) => els.map((e) => `${e.dataset.stage}:${e.dataset.status}`));
      states.forEach((s) => seen.add(s));
      final = await page.locator('.run-sub [data-status]').first().getAttribute('data-status');
      if (final === 'completed' || final === 'failed' || final === 'cancelled') break;
      await sleep(200);
    }
    const stream = await page.getByTestId('stream-state').textContent();
    log(`stage states seen: ${[...seen].join(' ')}; stream: ${stream}`);
    assert(final === 'completed', `run ended ${final}; errors: ${await page.locator('.errors').textContent().catch(() => '')}`);
    assert([...seen].some((s) => s.endsWith(':running')), 'a running stage was shown live');
    await page.waitForFunction(() => document.querySelectorAll('li[data-stage][data-status="done"]').length === 6);
    const logs = await page.getByTestId('log').locator('.logline').count();
    log(`log lines shown: ${logs}`);
    assert(logs > 0, 'live log lines were shown');
    await basics(page, 'run detail');
    await shot(page, 'run-detail');
    assertNoConsoleErrors('run detail');
  });

  await check("artifacts: script, SEO, images, thumbnail, publish", async () => {
    assert(runId, 'no run');
    await page.getByRole('tab', { name: 'Script' }).click();
    await page.getByTestId('script').waitFor();
    assert((await page.getByTestId('script').locator('h1, h2, p').count()) > 0, 'script rendered as markdown');
    await page.getByRole('tab', { name: 'SEO' }).click();
    await page.getByTestId('seo').waitFor();
    await page.getByRole('tab', { name: 'Images' }).click();
    await page.locator('#panel-images').waitFor();
    await page.getByTestId('gallery').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=gallery] img')].some((i) => i.complete && i.naturalWidth > 0));
    log(`images in the gallery: ${await page.getByTestId('gallery').locator('img').count()}`);
    await shot(page, 'run-images', { full: false });
    await page.getByRole('tab', { name: 'Thumbnail' }).click();
    const thumb = page.getByTestId('thumbnail').locator('img');
    await thumb.waitFor();
    await page.waitForFunction(() => { const i = document.querySelector('[data-testid=thumbnail] img'); return i && i.complete && i.naturalWidth > 0; });
    await page.getByRole('tab', { name: 'Publish' }).click();
    await page.getByTestId('publish').waitFor();
    assertNoConsoleErrors('artifacts');
  });

  await check('play the video (range requests through the service worker)', async () => {
    await page.getByRole('tab', { name: 'Video' }).click();
    const video = page.getByTestId('video');
    await video.waitFor();
    await video.scrollIntoViewIfNeeded();
    await page.evaluate(async () => {
      const v = document.querySelector('video');
      v.muted = true;
      await v.play();
    });
    await page.waitForFunction(() => document.querySelector('video').currentTime > 0.5, null, { timeout: 30000 });
    const info = await page.evaluate(() => { const v = document.querySelector('video'); return { t: v.currentTime, d: v.duration, w: v.videoWidth, h: v.videoHeight, src: v.currentSrc, sw: !!navigator.serviceWorker?.controller }; });
    log(`video currentTime ${info.t.toFixed(2)}s of ${info.d.toFixed(2)}s, ${info.w}x${info.h}, src ${info.src.slice(0, 60)} (service worker: ${info.sw})`);
    assert(info.w > 0, 'video has frames');
    await page.evaluate(() => document.querySelector('video').pause());
    await shot(page, 'run-video', { full: false });
    assertNoConsoleErrors('video');
  });

  await check("the run's cost by agent", async () => {
    await page.locator('#cost-h').waitFor();
    const card = page.locator('section[aria-labelledby="cost-h"]');
    await card.locator('[data-testid=run-cost], .state-empty').first().waitFor();
    const hasTable = await card.getByTestId('run-cost').count();
    assert(hasTable > 0, `no usage shown for the run: "${await card.textContent()}"`);
    const total = await card.getByTestId('run-cost-total').textContent();
    assert(/^\$\d/.test(total.trim()), `cost total "${total}"`);
    log(`run cost ${total.trim()} over ${await card.locator('tbody tr').count()} agents`);
  });

  await check('runs list with filters and pagination', async () => {
    await visit(page, '/runs', 'runs');
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await page.getByLabel('Status').selectOption('completed');
    await page.waitForURL(/status=completed/);
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No runs match these filters.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await basics(page, 'runs');
    await shot(page, 'runs');
    assertNoConsoleErrors('runs');
  });

  await check('dashboard after a run', async () => {
    await visit(page, '/', 'dashboard');
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await basics(page, 'dashboard');
    await shot(page, 'dashboard');
    assertNoConsoleErrors('dashboard');
  });

  await check('usage page: chart and groups', async () => {
    await visit(page, '/usage', 'usage');
    await page.locator('#by-agent-h').waitFor();
    await page.locator('[data-testid=usage-chart], #by-day-h ~ .state-empty, section[aria-labelledby=by-day-h] .state-empty').first().waitFor();
    await page.waitForTimeout(300);
    await basics(page, 'usage');
    await shot(page, 'usage');
    assertNoConsoleErrors('usage');
  });

  await check('channel page', async () => {
    await visit(page, `/channels/${channelId}`, 'channel');
    await page.locator('#guide-h').waitFor();
    await basics(page, 'channel page');
    await shot(page, 'channel');
    // The YouTube account card: no account connected and no OAuth client on this server.
    const yt = page.getByTestId('yt-account');
    await yt.waitFor();
    assert(/dry runs/.test(await yt.textContent()), 'YouTube card says uploads are dry runs');
    await page.locator('#youtube-h').scrollIntoViewIfNeeded();
    await shot(page, 'channel-youtube', { full: false });
    assertNoConsoleErrors('channel page');
  });

  await check('settings: create a key (shown once), revoke a key, audit log', async () => {
    await visit(page, '/settings', 'settings');
    await page.getByTestId('keys-table').waitFor();
    await page.getByTestId('audit-table').waitFor();
    // A read-only key for the scope check below.
    await page.getByLabel('Key name').fill('e2e-read');
    await page.getByRole('checkbox', { name: 'write' }).uncheck();
    await page.getByRole('button', { name: 'Create key' }).click();
    readKey = (await page.getByTestId('new-key-value').textContent()).trim();
    assert(/^yaa_/.test(readKey), `new key "${readKey}"`);
    assert(await page.getByRole('button', { name: 'Copy' }).isVisible(), 'copy button');
    await basics(page, 'settings');
    // Screenshots never show a key, even a throwaway one.
    await page.getByTestId('new-key-value').evaluate((el) => { el.textContent = `yaa_${'•'.repeat(43)}`; });
    await shot(page, 'settings');
    // A second key, revoked.
    await page.getByLabel('Key name').fill('e2e-temp');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Revoke e2e-temp' }).click();
    const row = page.locator('tr', { hasText: 'e2e-temp' });
    await row.getByText('revoked').waitFor();
    // The audit log is written behind the response: apply the filter until the revoke shows.
    await page.getByLabel('Method').selectOption('DELETE');
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.getByRole('button', { name: 'Apply' }).click();
      await sleep(500);
      found = (await page.locator('[data-testid=audit-table] td', { hasText: 'DELETE' }).count()) > 0;
    }
    assert(found, 'the revoke (DELETE) shows in the audit log filtered by method');
    assertNoConsoleErrors('settings');
  });

  await check('edit and delete a channel (admin)', async () => {
    await visit(page, '/channels', 'channels');
    const card = page.locator(`[data-channel-id="${channelId}"]`);
    await card.getByRole('button', { name: `Edit ${channelId}` }).click();
    await card.getByLabel('Name').fill('E2E Demo (edited)');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByRole('heading', { name: 'E2E Demo (edited)' }).waitFor();
    await card.getByRole('button', { name: `Delete ${channelId}` }).click();
    await card.waitFor({ state: 'detached' });
    assertNoConsoleErrors('channel edit/delete');
  });

  await check('review gates: the video gate screen, metadata with live limits, approve; a batch from a pasted list; the script gate', async () => {
    const h = { 'X-API-Key': adminKey, 'Content-Type': 'application/json' };
    const list = await (await fetch(`${base}/api/v1/channels`, { headers: h })).json();
    const ids = list.channels.map((c) => c.channel_id);
    const ch = ['home_cooking_en', 'tech_review_ko'].find((x) => ids.includes(x)) ?? ids.find((x) => x !== '_template');
    await page.goto(`${base}/runs/new?channel_id=${encodeURIComponent(ch)}`);
    await page.getByLabel('Topic').fill('Weeknight pasta in 15 minutes');
    await page.getByLabel('Review before').selectOption('video');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const gated = page.url().split('/').pop();
    await page.getByTestId('metadata-form').waitFor({ timeout: RUN_TIMEOUT_MS });
    await page.getByTestId('review-video').waitFor();
    assert((await page.locator('.run-sub [data-status]').first().getAttribute('data-status')) === 'awaiting_review', 'status awaiting_review');
    // Live counters: over the limit shows, back under clears.
    const title = page.locator('#md-title');
    await title.fill('x'.repeat(104));
    assert((await page.locator('.counter-over').count()) === 1, 'title counter over 100');
    await title.fill('Weeknight pasta in 15 minutes: the edited title');
    assert((await page.locator('.counter-over').count()) === 0, 'counters back under');
    await page.locator('#md-at').fill('2031-06-01T18:30:00Z');
    await page.getByTestId('save-metadata').click();
    await page.getByText('Saved.').waitFor();
    await page.locator('#rv-notes').fill('Looks good; scheduled for June.');
    await basics(page, 'review (video gate)');
    await page.evaluate(() => { document.activeElement?.blur(); document.getElementById('review-h')?.scrollIntoView(); });
    await shot(page, 'review-video');
    await visit(page, '/', 'dashboard');
    await page.getByTestId('needs-review').waitFor();
    assert(Number(await page.getByTestId('needs-review').textContent()) >= 1, 'needs review count on the home page');
    await shot(page, 'dashboard-needs-review', { full: false });
    await visit(page, `/runs/${gated}`, 'run');
    await page.getByTestId('approve').click();
    const end = Date.now() + RUN_TIMEOUT_MS;
    let st = null;
    while (Date.now() < end) {
      st = (await (await fetch(`${base}/api/v1/pipeline/runs/${gated}`, { headers: h })).json()).status;
      if (st === 'completed' || st === 'failed') break;
      await sleep(500);
    }
    assert(st === 'completed', `approved run ended ${st}`);
    const pub = await (await fetch(`${base}/api/v1/pipeline/runs/${gated}/artifacts/publish.json`, { headers: h })).json();
    assert(pub.publish_at === '2031-06-01T18:30:00Z' && JSON.stringify(pub).includes('the edited title'), 'publish.json carries the edit');
    await page.reload();
    await page.getByTestId('review-history').waitFor();

    await page.goto(`${base}/runs/new?channel_id=${encodeURIComponent(ch)}`);
    await page.getByTestId('batch-toggle').check();
    await page.getByLabel('Video list').fill('Sheet-pan salmon\nLentil soup | 2031-01-02T08:00:00Z\n');
    await page.getByLabel('Review before').selectOption('script');
    await basics(page, 'new batch');
    await shot(page, 'new-batch', { full: false });
    await page.getByRole('button', { name: 'Start 2 runs' }).click();
    await page.waitForURL(/\/runs\?batch_id=/);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run-id]').length === 2);
    await shot(page, 'batch-runs', { full: false });
    const batchIds = await page.$$eval('tr[data-run-id]', (els) => els.map((e) => e.dataset.runId));
    const first = batchIds[batchIds.length - 1]; // oldest: queued first
    await visit(page, `/runs/${first}`, 'run');
    await page.getByTestId('script-form').waitFor({ timeout: RUN_TIMEOUT_MS });
    await basics(page, 'review (script gate)');
    await page.evaluate(() => document.getElementById('review-h')?.scrollIntoView());
    await shot(page, 'review-script');
    for (const id of batchIds) await fetch(`${base}/api/v1/pipeline/runs/${id}/cancel`, { method: 'POST', headers: h });
    assertNoConsoleErrors('review');
  });

  await check('tablet width and Korean', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await visit(page, `/runs/${runId}`, 'run');
    await page.getByTestId('timeline').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `horizontal overflow of ${overflow}px at 820px`);
    await shot(page, 'run-detail-tablet', { full: false });
    for (const p of ['/', '/runs', '/runs/new', '/channels', '/usage', '/settings']) {
      await visit(page, p, p);
      await page.waitForTimeout(300);
      const o = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(o <= 0, `horizontal overflow of ${o}px at 820px on ${p}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    await visit(page, '/', 'dashboard');
    await page.locator('.topbar select').selectOption('ko');
    await page.getByRole('heading', { level: 1, name: '대시보드' }).waitFor();
    assert((await page.evaluate(() => document.documentElement.lang)) === 'ko', 'html lang=ko');
    await basics(page, 'dashboard (ko)');
    await shot(page, 'dashboard-ko', { full: false });
    await page.locator('.topbar select').selectOption('en');
    assertNoConsoleErrors('ko');
  });

  await check('a read key sees no admin screens and no write buttons', async () => {
    assert(readKey, 'no read key');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').fill(readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Runs' }).waitFor();
    assert((await nav.getByRole('link', { name: 'Settings' }).count()) === 0, 'Settings hidden for a read key');
    assert((await page.getByTestId('new-video').count()) === 0, 'no New video for a read key');
    assert((await page.getByTestId('scopes').textContent()).trim() === 'read', 'scopes shown: read');
    await visit(page, '/channels', 'channels');
    await page.getByTestId('channel-cards').waitFor();
    assert((await page.getByTestId('new-channel').count()) === 0, 'no New channel for a read key');
    assert((await page.getByRole('button', { name: /^Delete / }).count()) === 0, 'no Delete for a read key');
    await visit(page, `/runs/${runId}`, 'run');
    await page.getByTestId('timeline').waitFor();
    assert((await page.getByTestId('retry-run').count()) === 0 && (await page.getByTestId('cancel-run').count()) === 0, 'no cancel/retry for a read key');
    await page.goto(base + '/settings');
    await page.getByRole('alert').waitFor();
    assert(/admin/.test(await page.getByRole('alert').textContent()), 'settings refused');
    await shot(page, 'read-only', { full: false });
    assertNoConsoleErrors('read key');
  });
} catch (e) {
  failed++;
  log(`FAIL setup: ${e?.stack ?? e}`);
} finally {
  if (context) await context.close().catch(() => undefined);
  await stopServer();
  rmSync(profile, { recursive: true, force: true });
  if (failed === 0) rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp} for inspection; server log: ${serverLog}`);
}
writeFileSync(join(out, 'result.txt'), `${passed} passed, ${failed} failed\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
