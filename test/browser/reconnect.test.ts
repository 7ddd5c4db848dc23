import { chat } from '../support/chat';
import { dropAdminSockets, messageEl, messagesList, renderedMessageIds, signInAndClaim, until, useBrowser } from '../support/browser';
import { useTestStack } from '../support/harness';

describe('a socket dropped mid-conversation', () => {
  const stack = useTestStack();
  const browser = useBrowser();
  const use = chat(stack);

  test('shows Reconnecting, then shows what the store sent meanwhile exactly once', async () => {
    // Arrange: an agent in a claimed conversation.
    const admin = await stack.createAdmin('Ann');
    const store = await stack.createStore('Acme Outdoor');
    const first = await use.storeSays(store.token, 'Hello?');
    const sessionId = first.session.id;
    const agent = await browser.agent();
    const { page } = agent;
    await signInAndClaim(page, stack.httpUrl, admin.token, sessionId);
    const before = await use.storeSays(store.token, 'Are you there?');
    await messageEl(page, before.message.id).waitFor();

    // Act: the server closes the agent's socket (DELETE @connections/{id}, as AWS does).
    const dropped = await dropAdminSockets(stack, admin.id);
    expect(dropped).toHaveLength(1);

    // Assert: the console says so.
    await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
    await page.locator('[data-connection="reconnecting"]').waitFor();

    // Act: the browser goes offline before its first retry (at least 250 ms away), so the store's messages land
    // while it holds no socket; then the network comes back.
    await agent.context.setOffline(true);
    const meanwhile = [];
    for (const content of ['I paid twice for order 1042', 'Can you refund one?', 'Thanks']) meanwhile.push(await use.storeSays(store.token, content));
    expect(await page.locator('[data-connection="reconnecting"]').count()).toBe(1);
    await agent.context.setOffline(false);

    // Assert: connected again, banner gone, every message shown once, in order, with none lost or doubled.
    await page.locator('[data-connection="connected"]').waitFor({ timeout: 20_000 });
    await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ state: 'detached' });
    const lastId = meanwhile.at(-1)!.message.id;
    await messageEl(page, lastId).waitFor();
    const expected = [first.message.id, before.message.id, ...meanwhile.map((sent) => sent.message.id)];
    const shown = await until(
      () => renderedMessageIds(page),
      (ids) => expected.every((id) => ids.includes(id)),
      'every store message rendered',
    );
    for (const id of expected) expect(shown.filter((shownId) => shownId === id)).toHaveLength(1);
    expect(new Set(shown).size).toBe(shown.length);
    const storeIds = shown.filter((id) => expected.includes(id));
    expect(storeIds).toEqual([...expected].sort((a, b) => a - b));
    expect(await messagesList(page).getByText('Can you refund one?').count()).toBe(1);
    // Chromium logs each refused handshake while offline; nothing else may be logged.
    expect(agent.reports.errors.filter((line) => !/^WebSocket connection to .* failed: .*ERR_INTERNET_DISCONNECTED/.test(line))).toEqual([]);
  });
});
