import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { chat, seeds } from '../support/chat';
import { messageEl, sessionRow, signInAndClaim, storeUpload, tab, until, useBrowser } from '../support/browser';
import { pdf } from '../support/files';
import { useTestStack } from '../support/harness';

const markup = '<img src=x onerror=alert(1)>';

/** What the page's DOM holds that could run script or navigate to it: should all be empty. */
interface Dangers {
  imgWithSrcX: string[];
  handlerAttributes: string[];
  javascriptUrls: string[];
  externalLinksWithoutRel: string[];
  scripts: string[];
}

// Runs in the page; a string because this project's TypeScript has no DOM types.
const findDangers = `(() => {
  const all = [...document.querySelectorAll('*')];
  const describe = (el) => el.outerHTML.slice(0, 160);
  return {
    imgWithSrcX: [...document.querySelectorAll('img')].filter((img) => img.getAttribute('src') === 'x' || /\\/x$/.test(img.src)).map(describe),
    handlerAttributes: all.filter((el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith('on'))).map(describe),
    javascriptUrls: all.filter((el) => ['href', 'src', 'action', 'formaction', 'xlink:href'].some((name) => /^\\s*javascript:/i.test(el.getAttribute(name) || ''))).map(describe),
    externalLinksWithoutRel: [...document.querySelectorAll('a[href]')].filter((a) => /^https?:/.test(a.href) && a.origin !== location.origin && !(/noopener/.test(a.rel) && /noreferrer/.test(a.rel))).map(describe),
    scripts: [...document.scripts].filter((s) => !s.src).map(describe),
  };
})()`;

describe('hostile content in the console', () => {
  const stack = useTestStack();
  const browser = useBrowser();
  const use = chat(stack);
  const api = seeds(stack);
  afterEach(() => use.closeSockets());

  test('store and admin names, messages, links, product fields and file names render as inert text, and the CSP refuses injected script', async () => {
    // Arrange: every text field a store or an admin controls carries markup or a javascript: link.
    const admin = await stack.createAdmin(markup);
    const store = await stack.createStore(markup);
    const first = await use.storeSays(store.token, markup);
    const sessionId = first.session.id;
    await use.storeSays(store.token, 'javascript:alert(1) and <a href="javascript:alert(1)">click me</a> and [x](javascript:alert(1))');
    const { products } = await importProducts(chatTableRef(stack.deps), store.id, [
      {
        sku: 'EVIL-1',
        name: markup,
        type: markup,
        description: `<script>alert(1)</script>${markup}`,
        price: 9.99,
        url: 'https://shop.example/p?next="><img src=x onerror=alert(1)>',
        images: [{ lang: 'en_GB', content: 'https://cdn.example/"><img src=x onerror=alert(1)>.jpg' }],
      },
    ]);
    await api.send(store.token, { product_id: products[0]!.id, content: markup });
    const fileUrl = await storeUpload(stack, store.token, { name: `${markup}.pdf`, type: 'application/pdf', bytes: pdf });
    const withFile = await api.send(store.token, { attachment_url: fileUrl, content: markup });
    expect(withFile.status).toBe(200);
    const external = await api.send(store.token, { attachment_url: 'https://files.example/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E.html' });
    expect(external.status).toBe(200);

    // Act: the agent (whose own name is markup too) opens the session, claims it; its own action messages carry markup.
    const agent = await browser.agent();
    const { page } = agent;
    await signInAndClaim(page, stack.httpUrl, admin.token, sessionId);
    const adminSocket = await use.socketFor(admin.token);
    const replies = await adminSocket.request({ action: 'send', session_id: sessionId, content: markup, special_type: 'quick_replies', special_param: [markup, 'javascript:alert(1)'] });
    expect(replies.type).toBe('result');
    const last = (await api.adminHistory(admin.token, sessionId)).messages.at(-1)!;
    await messageEl(page, last.id).waitFor();

    // Assert: the markup shows as text (in the inbox row, the header, the messages), nothing ran, nothing dangerous is in the DOM.
    await tab(page, 'Mine').click();
    expect(await sessionRow(page, sessionId).textContent()).toContain(markup);
    expect(await page.getByText(markup).count()).toBeGreaterThanOrEqual(4);
    const dangers = await page.evaluate<Dangers>(findDangers);
    expect(dangers).toEqual({ imgWithSrcX: [], handlerAttributes: [], javascriptUrls: [], externalLinksWithoutRel: [], scripts: [] });
    expect(agent.reports.dialogs).toEqual([]);
    expect(agent.reports.cspViolations).toEqual([]);

    // Act: script injected into the live page, as a successful XSS would: a script element and an inline handler.
    await page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__pwned = 1';
      document.body.appendChild(script);
      const box = document.createElement('div');
      box.innerHTML = '<img src="missing.png" onerror="window.__pwned = 2">';
      document.body.appendChild(box);
    })()`);

    // Assert: the CSP refused both, and reported it.
    const refused = await until(
      () => Promise.resolve(agent.reports.cspViolations.filter((line) => /^script-src/.test(line))),
      (lines) => lines.length >= 2,
      'the CSP reporting both injected scripts',
    );
    expect(refused.join('\n')).toMatch(/script-src-elem/);
    expect(refused.join('\n')).toMatch(/script-src-attr/);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(agent.reports.dialogs).toEqual([]);
  });
});
