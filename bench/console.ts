import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../infra/local/chromium';
import { buildConsole } from '../web/build';
import type { BenchEnv } from './env';
import { clientMessageId, messageText } from './http';
import { pool, summarize, type Summary } from './stats';

/**
 * Issue 15's budgets for the admin console, measured in headless Chromium against the local stack, each
 * beside a baseline taken in the same run on the same page origin: a page with no framework that fetches the
 * same API and writes the same rows with plain DOM calls. The ratios say what the console itself costs.
 */
export const consolePlan = { sessions: 1000, loads: 7, renders: 3 };

export interface ScrollResult {
  frames: number;
  p50FrameMs: number;
  p95FrameMs: number;
  maxFrameMs: number;
  /** Main-thread tasks over 50 ms (the Long Tasks API) while scrolling. */
  longTasks: number;
  longestTaskMs: number;
}

export interface ConsoleResult {
  /** app.js and app.css as built for deployment (minified), raw and gzipped (level 9, as CloudFront's own compression roughly does). */
  jsBytes: number;
  jsGzipBytes: number;
  cssGzipBytes: number;
  /** Navigation start → the first inbox row painted, a signed-in agent reloading the console; ms. */
  firstRow: Summary;
  /** The same for the plain-DOM baseline page (one API call, rows written with textContent). */
  firstRowBaseline: Summary;
  /** Clicking "Open" with `sessions` open sessions → every row in the list; ms. */
  thousand: Summary;
  thousandBaseline: Summary;
  rows: number;
  /** Scrolling the 1,000-row list top to bottom, one step a frame. */
  scroll: ScrollResult;
  /** The same scroll through the baseline page's 1,000 rows. */
  scrollBaseline: ScrollResult;
}

/** The row selector of the console's inbox list (README "Admin console"). */
const rowSelector = '[aria-label="Sessions"] [data-session-id]';

/**
 * The plain-DOM baseline: the same origin (so the same CSP and the same API), no framework. It reads every
 * page of `state` and writes one button per session with textContent, as the console's rows show them.
 */
const baselineScript = `
const token = sessionStorage.getItem('bench-token');
const params = new URL(location.href).searchParams;
const state = params.get('state') || 'unclaimed';
let pages = Number(params.get('pages') || 1000);
const list = document.createElement('ul');
list.setAttribute('aria-label', 'Sessions');
document.body.append(list);
(async () => {
  let cursor = null;
  do {
    const query = new URLSearchParams({ state, limit: '100', ...(cursor ? { cursor } : {}) });
    const response = await fetch('/v1/chat/admin/sessions/?' + query, { headers: { authorization: 'Token ' + token } });
    const page = await response.json();
    const fragment = document.createDocumentFragment();
    for (const item of page.sessions) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.dataset.sessionId = String(item.session.id);
      const name = document.createElement('strong');
      name.textContent = item.store.name;
      const preview = document.createElement('span');
      preview.textContent = item.last_message ? item.last_message.preview : '';
      button.append(name, preview);
      li.append(button);
      fragment.append(li);
    }
    list.append(fragment);
    cursor = page.next_cursor;
  } while (cursor && --pages > 0);
})();
`;

/**
 * In-page code is a string: this project's TypeScript has no DOM types outside web/, and a function passed
 * to page.evaluate would carry the transpiler's helpers into the page.
 */
const inPage = <T>(page: Page, source: string, arg: unknown): Promise<T> => page.evaluate<T>(`(${source})(${JSON.stringify(arg)})`);

/** Resolves with ms since `since` (navigation start when 0) once `count` rows are in the DOM and a frame has painted them. */
const rowsProbe = `({ selector, count, since }) => new Promise((resolve) => {
  const done = () => requestAnimationFrame(() => resolve(performance.now() - since));
  if (document.querySelectorAll(selector).length >= count) return done();
  const observer = new MutationObserver(() => {
    if (document.querySelectorAll(selector).length < count) return;
    observer.disconnect();
    done();
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
})`;

const untilRows = (page: Page, count: number, since: number): Promise<number> => inPage<number>(page, rowsProbe, { selector: rowSelector, count, since });

/** Scrolls the rows' scrolling box to the bottom, one step a frame, timing each frame and counting long tasks. */
const scrollProbe = `(selector) => new Promise((resolve) => {
  let box = document.querySelector(selector)?.parentElement ?? null;
  while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
  const scroller = box ?? document.scrollingElement;
  const tasks = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((entry) => tasks.push(entry.duration)));
  observer.observe({ type: 'longtask' });
  const frames = [];
  let last = 0;
  const step = 200;
  const tick = (now) => {
    frames.push(now - last);
    last = now;
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) {
      observer.disconnect();
      const sorted = [...frames].sort((a, b) => a - b);
      const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
      resolve({ frames: frames.length, p50FrameMs: at(50), p95FrameMs: at(95), maxFrameMs: sorted[sorted.length - 1] ?? 0, longTasks: tasks.length, longestTaskMs: Math.max(0, ...tasks) });
      return;
    }
    scroller.scrollTop += step;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
})`;

const scrollThrough = (page: Page): Promise<ScrollResult> => inPage<ScrollResult>(page, scrollProbe, rowSelector);

async function seedSessions(env: BenchEnv, count: number): Promise<void> {
  const stores = await env.createStores(count, 'Console store');
  await pool(stores, 16, async (store) => void (await env.client.send(store.token, messageText(`c${store.id}`), clientMessageId(`c${store.id}`))));
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-connection="connected"]').waitFor();
}

/** Reloads the signed-in console `loads` times; each time, navigation start → first row painted. */
async function firstRows(page: Page, loads: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < loads; i++) {
    await page.reload({ waitUntil: 'commit' });
    samples.push(await untilRows(page, 1, 0));
  }
  return samples;
}

export async function measureConsole(env: BenchEnv, progress: (step: string) => void): Promise<ConsoleResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'support-chat-console-'));
  let browser: Browser | undefined;
  try {
    const built = await buildConsole(outDir, { minify: true });
    const js = readFileSync(join(built.outDir, 'app.js'));
    const css = readFileSync(join(built.outDir, 'app.css'));

    progress(`console: ${consolePlan.sessions} open sessions (one store message each)`);
    await seedSessions(env, consolePlan.sessions);
    const [admin] = await env.createAdmins(1, 'Console admin');
    if (!admin) throw new Error('no admin');

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const url = `${env.stack.httpUrl}/console/`;
    // The baseline page is served on the console's own origin (same CSP, same API), from the bench itself.
    await context.route(`${url}bench-baseline*`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><body><script src="bench-baseline.js"></script>' }),
    );
    await context.route(`${url}bench-baseline.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: baselineScript }));
    const page = await context.newPage();

    progress(`console: first inbox row, ${consolePlan.loads} reloads of the console and of the plain-DOM baseline`);
    await signIn(page, url, admin.token);
    await page.locator(rowSelector).first().waitFor();
    const console1 = await firstRows(page, consolePlan.loads);
    await page.evaluate(`sessionStorage.setItem('bench-token', ${JSON.stringify(admin.token)})`);
    await page.goto(`${url}bench-baseline.html?state=unclaimed&pages=1`);
    const baseline1 = await firstRows(page, consolePlan.loads);

    progress(`console: ${consolePlan.sessions} rows on "Open", ${consolePlan.renders} times each, then a scroll`);
    const thousand: number[] = [];
    const thousandBaseline: number[] = [];
    let scroll: ScrollResult | undefined;
    let scrollBaseline: ScrollResult | undefined;
    let rows = 0;
    for (let i = 0; i < consolePlan.renders; i++) {
      await page.goto(url);
      await page.locator('[data-connection="connected"]').waitFor();
      const start = await page.evaluate<number>('performance.now()');
      await page.getByRole('tab', { name: /^Open/ }).click();
      thousand.push(await untilRows(page, consolePlan.sessions, start));
      if (i === consolePlan.renders - 1) {
        rows = await page.locator(rowSelector).count();
        scroll = await scrollThrough(page);
      }
      await page.goto(`${url}bench-baseline.html?state=open`);
      thousandBaseline.push(await untilRows(page, consolePlan.sessions, 0));
      if (i === consolePlan.renders - 1) scrollBaseline = await scrollThrough(page);
    }
    if (!scroll || !scrollBaseline) throw new Error('no scroll measured');
    return {
      jsBytes: js.length,
      jsGzipBytes: gzipSync(js, { level: 9 }).length,
      cssGzipBytes: gzipSync(css, { level: 9 }).length,
      firstRow: summarize(console1),
      firstRowBaseline: summarize(baseline1),
      thousand: summarize(thousand),
      thousandBaseline: summarize(thousandBaseline),
      rows,
      scroll,
      scrollBaseline,
    };
  } finally {
    await browser?.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
