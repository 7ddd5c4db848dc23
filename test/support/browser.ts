import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { listAdminConnections } from '../../lib/entities/connection';
import type { TestStack } from './harness';

import { launchChromium } from '../../infra/local/chromium';
import { until } from './poll';

export { until };

// Headless Chromium from Debian's `chromium` package, launched by infra/local/chromium.ts (shared with bench/console.ts).

/** The desktop size the console is tested and pictured at. */
export const viewport = { width: 1280, height: 800 };

/** What a page reported that a test may assert on (none, or some). */
export interface PageReports {
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Content-Security-Policy refusals: `securitypolicyviolation` events and Chromium's console lines about them. */
  cspViolations: string[];
  /** alert(), confirm() and prompt() calls: any is script the page did not mean to run. */
  dialogs: string[];
}

/** One support agent: a browser context of its own (own sessionStorage, own socket) and its page. */
export interface Agent {
  context: BrowserContext;
  page: Page;
  reports: PageReports;
}

/**
 * One Chromium for the file's tests (launching it costs about a second), and a
 * fresh context per agent, closed after each test.
 */
export function useBrowser() {
  // A browser scenario is several round trips through two gateways and a page; 30 s is tight on 2 cores.
  jest.setTimeout(60_000);
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    /** A new agent: its own context at 1280×800 with every report collected from the first document on. */
    async agent(): Promise<Agent> {
      if (!browser) throw new Error('the browser starts in beforeAll; call agent() inside tests');
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      const reports: PageReports = { errors: [], cspViolations: [], dialogs: [] };
      // A binding, not a window variable, so reports survive navigations and reloads.
      await context.exposeBinding('__reportCspViolation', (_source, text: string) => void reports.cspViolations.push(text));
      // Init scripts run through the DevTools protocol, outside the page's CSP.
      // Init scripts run through the DevTools protocol, outside the page's CSP. (A string: this project's
      // TypeScript has no DOM types.)
      await context.addInitScript({
        content: `document.addEventListener('securitypolicyviolation', (event) => {
          window.__reportCspViolation(event.effectiveDirective + ' blocked ' + (event.blockedURI || event.sample || '(inline)'));
        });`,
      });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        if (/Content Security Policy/i.test(message.text())) reports.cspViolations.push(message.text());
        else reports.errors.push(message.text());
      });
      page.on('pageerror', (error) => reports.errors.push(`${error.name}: ${error.message}`));
      page.on('dialog', (dialog) => {
        reports.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      return { context, page, reports };
    },
  };
}

/** The console's address on a stack's HTTP entry point (the local edge serves it, as CloudFront does). */
export const consoleUrl = (httpUrl: string) => `${httpUrl}/console/`;

/** Opens the console and signs in with an admin token, then waits until its socket is connected. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.locator('[data-connection="connected"]').waitFor();
}

/** The inbox tab whose name starts with `name` (a count may follow it: "Unclaimed 3"). */
export const tab = (page: Page, name: 'Unclaimed' | 'Mine' | 'Open' | 'Closed') => page.getByRole('tab', { name: new RegExp(`^${name}`) });

/** The inbox's session list. */
export const sessionList = (page: Page) => page.getByLabel('Sessions', { exact: true });

/** A session's row in the inbox list. */
export const sessionRow = (page: Page, sessionId: number) => sessionList(page).locator(`[data-session-id="${sessionId}"]`);

/** The open conversation's messages list. */
export const messagesList = (page: Page) => page.getByRole('region', { name: 'Conversation' }).getByLabel('Messages', { exact: true });

/** The composer's text box. */
export const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

/** A message in the open conversation, by id. */
export const messageEl = (page: Page, messageId: number) => messagesList(page).locator(`[data-message-id="${messageId}"]`);

/** The conversation's action buttons, by exact name (so "Transfer" in the dialog is not matched). */
export const action = (page: Page, name: string) => page.getByRole('region', { name: 'Conversation' }).getByRole('button', { name, exact: true });

/** Signs in, opens an unclaimed session from the inbox and claims it: a conversation the agent may write in. */
export async function signInAndClaim(page: Page, httpUrl: string, token: string, sessionId: number): Promise<void> {
  await signIn(page, consoleUrl(httpUrl), token);
  await tab(page, 'Unclaimed').click();
  await sessionRow(page, sessionId).click();
  await action(page, 'Claim').click();
  await action(page, 'Release').waitFor();
}

/** Every `data-message-id` rendered in the open conversation, in document order, duplicates kept. */
export const renderedMessageIds = (page: Page): Promise<number[]> =>
  messagesList(page)
    .locator('[data-message-id]')
    .evaluateAll((elements: { getAttribute(name: string): string | null }[]) => elements.map((element) => Number(element.getAttribute('data-message-id'))));

/** Waits until a locator matches exactly `count` elements. */
export const untilCount = (locator: Locator, count: number, what: string, timeoutMs?: number) =>
  until(() => locator.count(), (n) => n === count, what, timeoutMs);

/** Where the README's screenshots live: committed, and rewritten by every run of the browser tests. */
export const docsDir = join(__dirname, '..', '..', 'docs');

/** Saves the page, at the 1280×800 it is tested at, as docs/<name>.png; returns the path. */
export async function screenshotToDocs(page: Page, name: string): Promise<string> {
  mkdirSync(docsDir, { recursive: true });
  await page.setViewportSize(viewport);
  const path = join(docsDir, `${name}.png`);
  // Animations and the caret are frozen so reruns write the same picture when nothing changed.
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}

/* ---- The stack side of a browser test ---- */

/**
 * Closes every socket an admin holds from the server side, as AWS does on
 * `DELETE @connections/{id}` (an idle timeout, a deploy, the 2-hour limit).
 * Answers the ids it closed.
 */
export async function dropAdminSockets(stack: TestStack, adminId: number): Promise<string[]> {
  const connections = await listAdminConnections({ db: stack.deps.db, table: stack.tables.connections }, adminId);
  await Promise.all(
    connections.map(async ({ connection_id: id }) => {
      const response = await fetch(`${stack.managementEndpoint}/@connections/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (response.status !== 204) throw new Error(`DELETE @connections/${id} answered ${response.status}`);
    }),
  );
  return connections.map((connection) => connection.connection_id);
}

/** A store's upload, as its app makes one (README "Upload Attachment"): ticket, then the form POST to S3. */
export async function storeUpload(stack: TestStack, token: string, file: { name: string; type: string; bytes: Buffer }): Promise<string> {
  const ticket = await stack.post('/v1/chat/store/attachment/', { token, body: { file_name: file.name, content_type: file.type, size: file.bytes.length } });
  if (ticket.status !== 200) throw new Error(`upload ticket refused: ${ticket.status} ${ticket.text}`);
  const { attachment_url: attachmentUrl, upload } = ticket.json as { attachment_url: string; upload: { url: string; fields: Record<string, string> } };
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const posted = await fetch(upload.url, { method: 'POST', body: form });
  if (posted.status !== 204) throw new Error(`upload refused: ${posted.status} ${await posted.text()}`);
  return attachmentUrl;
}

/** A real PNG of any size (a soft diagonal gradient), for thumbnails that look like pictures in the screenshots. */
export function gradientPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2;
      rows.set([Math.round(60 + 120 * t), Math.round(120 + 80 * (1 - t)), Math.round(200 - 40 * t)], row + 1 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
