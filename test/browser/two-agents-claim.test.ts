import { chat, messageOf, seeds } from '../support/chat';
import { action, composer, consoleUrl, messageEl, sessionRow, signIn, tab, until, useBrowser } from '../support/browser';
import { useTestStack } from '../support/harness';

describe('two agents in two browsers and a store', () => {
  const stack = useTestStack();
  const browser = useBrowser();
  const use = chat(stack);
  const api = seeds(stack);
  afterEach(() => use.closeSockets());

  test('a store message appears in both inboxes live, exactly one claim wins, and the winner\'s reply reaches the store', async () => {
    // Arrange: two agents signed in, each in a context of its own, on the Unclaimed tab; a store with a socket.
    const [ann, bob] = await Promise.all([stack.createAdmin('Ann'), stack.createAdmin('Bob')]);
    const store = await use.store('Acme Outdoor');
    const agents = await Promise.all([browser.agent(), browser.agent()]);
    await Promise.all([signIn(agents[0].page, consoleUrl(stack.httpUrl), ann.token), signIn(agents[1].page, consoleUrl(stack.httpUrl), bob.token)]);
    await Promise.all(agents.map(({ page }) => tab(page, 'Unclaimed').click()));

    // Act: the store writes over HTTP.
    const first = await use.storeSays(store.token, 'Where is my order 1042?');
    const sessionId = first.session.id;

    // Assert: the session shows up in both inboxes without a reload, with the store's name (which a pushed
    // message does not carry: the console looks it up) and the preview.
    for (const { page } of agents) {
      const row = sessionRow(page, sessionId);
      await row.waitFor();
      const text = await until(() => row.textContent(), (seen) => seen?.includes('Acme Outdoor') === true, 'the store\'s name in the row');
      expect(text).toContain('Where is my order 1042?');
    }

    // Act: both open it and press Claim at the same moment (in-page clicks, so neither waits on the other's result).
    await Promise.all(agents.map(({ page }) => sessionRow(page, sessionId).click()));
    const claims = await Promise.all(agents.map(({ page }) => action(page, 'Claim').elementHandle()));
    await Promise.all(claims.map((button) => button?.evaluate((element: { click(): void }) => element.click())));

    // Assert: the server has exactly one owner, and one claim in the session's history.
    const owner = await until(
      async () => (await api.openInbox(ann.token)).find((item) => item.session.id === sessionId)?.session.admin_id,
      (adminId) => adminId === ann.id || adminId === bob.id,
      'the session claimed',
    );
    const history = await api.adminHistory(ann.token, sessionId);
    expect(history.messages.filter((message) => message.sender_type === 'system')).toHaveLength(1);
    const [winner, loser] = owner === ann.id ? [agents[0], agents[1]] : [agents[1], agents[0]];
    // The loser sees the session leave Unclaimed; the winner holds it under Mine, with Release offered.
    await sessionRow(loser.page, sessionId).waitFor({ state: 'detached' });
    await action(winner.page, 'Release').waitFor();
    await tab(winner.page, 'Mine').click();
    await sessionRow(winner.page, sessionId).waitFor();

    // Act: the winner replies from the composer.
    await composer(winner.page).fill('It left the warehouse this morning.');
    await winner.page.getByRole('button', { name: 'Send', exact: true }).click();

    // Assert: the store gets it on its socket and in its history, once; the console shows it as sent by the admin.
    const pushed = messageOf(await store.socket.next((frame) => frame.type === 'message.created' && messageOf(frame).sender_type === 'admin'));
    expect(pushed.content).toBe('It left the warehouse this morning.');
    expect(pushed.sender_id).toBe(owner);
    const storeSees = await use.storeHistory(store.token);
    expect(storeSees.messages.filter((message) => message.content === 'It left the warehouse this morning.')).toHaveLength(1);
    await messageEl(winner.page, pushed.id).waitFor();
    expect(await messageEl(winner.page, pushed.id).getAttribute('data-sender')).toBe('admin');
    // Nothing the console did broke its own Content-Security-Policy.
    expect(agents.flatMap(({ reports }) => reports.cspViolations)).toEqual([]);
    expect(agents.flatMap(({ reports }) => reports.dialogs)).toEqual([]);
    expect(agents.flatMap(({ reports }) => reports.errors)).toEqual([]);
  });
});
