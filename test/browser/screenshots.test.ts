import { readFileSync } from 'node:fs';
import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { chat, seeds, type SentFull } from '../support/chat';
import { consoleUrl, gradientPng, messageEl, screenshotToDocs, sessionList, sessionRow, signIn, storeUpload, tab, until, useBrowser } from '../support/browser';
import { useTestStack } from '../support/harness';

describe('the README\'s pictures of the console', () => {
  const stack = useTestStack();
  const browser = useBrowser();
  const use = chat(stack);
  const api = seeds(stack);
  afterEach(() => use.closeSockets());

  test('the run saves the inbox and a conversation to docs/ at 1280x800', async () => {
    // Arrange: a working morning: a few stores waiting, and one conversation the agent holds.
    const admin = await stack.createAdmin('Ann Lee');
    // Online before the stores write, so their messages are delivered rather than answered "unavailable".
    const adminSocket = await use.socketFor(admin.token);
    for (const [name, content] of [
      ['Northwind Books', 'Can I change the delivery address for order 5531?'],
      ['Globex Garden', 'The seed trays arrived cracked'],
      ['Blue Harbor Coffee', 'Is the grinder back in stock?'],
    ] as const) {
      const store = await stack.createStore(name);
      await use.storeSays(store.token, content);
    }
    const acme = await stack.createStore('Acme Outdoor');
    const first = await use.storeSays(acme.token, 'Hi! The tent I got has a snapped pole.');
    const sessionId = first.session.id;
    const photo = await storeUpload(stack, acme.token, { name: 'pole.png', type: 'image/png', bytes: gradientPng(320, 200) });
    const photoMessage = (await api.send(acme.token, { attachment_url: photo, content: 'Here is a photo.' })).json as SentFull;
    await adminSocket.request({ action: 'claim', session_id: sessionId });
    const { products } = await importProducts(chatTableRef(stack.deps), acme.id, [
      { sku: 'POLE-KIT', name: 'Replacement pole kit', type: 'spares', price: 12.5, price_catalog: 15, discount_percentage: 17, description: 'Fits every Trail 2 tent', url: 'https://shop.example/p/pole-kit', stock: 40, stock_available: 38 },
    ]);
    await adminSocket.request({ action: 'send', session_id: sessionId, content: 'Sorry about that! This kit fits your tent, and it is on us:', product_id: products[0]!.id });
    await adminSocket.request({ action: 'send', session_id: sessionId, content: 'Shall I send it to the address on the order?', special_type: 'quick_replies', special_param: ['Yes please', 'Use another address'] });
    const last = await use.storeSays(acme.token, 'Yes please, thank you!');
    const agent = await browser.agent();
    const { page } = agent;

    // Act: the inbox, then the conversation.
    await signIn(page, consoleUrl(stack.httpUrl), admin.token);
    await tab(page, 'Open').click();
    await until(() => sessionList(page).locator('[data-session-id]').count(), (n) => n === 4, 'four sessions listed');
    const inbox = await screenshotToDocs(page, 'console-inbox');
    await sessionRow(page, sessionId).click();
    await messageEl(page, last.message.id).waitFor();
    const picture = messageEl(page, photoMessage.message.id).locator('img');
    await until(() => picture.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0), Boolean, 'the photo loaded');
    const conversation = await screenshotToDocs(page, 'console-conversation');

    // Assert: both files written, as PNGs.
    for (const path of [inbox, conversation]) expect(readFileSync(path).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(agent.reports.cspViolations).toEqual([]);
    expect(agent.reports.errors).toEqual([]);
  });
});
