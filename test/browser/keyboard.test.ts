import { chat } from '../support/chat';
import { action, composer, consoleUrl, messagesList, sessionList, signIn, tab, until, useBrowser } from '../support/browser';
import { useTestStack } from '../support/harness';

// Runs in the page: the session the keyboard is on, by focus or by aria-activedescendant.
const activeSessionId = `(() => {
  const focused = document.activeElement;
  const descendant = focused && focused.getAttribute('aria-activedescendant');
  const target = descendant ? document.getElementById(descendant) : focused;
  const row = target && target.closest('[data-session-id]');
  return row ? Number(row.getAttribute('data-session-id')) : null;
})()`;

describe('the console from the keyboard', () => {
  const stack = useTestStack();
  const browser = useBrowser();
  const use = chat(stack);

  test('arrow keys move through the inbox, Enter opens a session, and Enter in the composer sends', async () => {
    // Arrange: three stores waiting, newest last.
    const admin = await stack.createAdmin('Ann');
    const sent = [];
    for (const [name, content] of [['Acme Outdoor', 'Tent pole snapped'], ['Northwind Books', 'Wrong edition delivered'], ['Globex Garden', 'Seeds never arrived']] as const) {
      const store = await stack.createStore(name);
      sent.push({ store, first: await use.storeSays(store.token, content) });
    }
    const agent = await browser.agent();
    const { page } = agent;
    await signIn(page, consoleUrl(stack.httpUrl), admin.token);
    await tab(page, 'Unclaimed').click();
    const rows = sessionList(page).locator('[data-session-id]');
    await until(() => rows.count(), (n) => n === 3, 'three sessions listed');
    const order = await rows.evaluateAll((elements: { getAttribute(name: string): string | null }[]) => elements.map((element) => Number(element.getAttribute('data-session-id'))));
    // Newest activity first.
    expect(order).toEqual(sent.map(({ first }) => first.session.id).reverse());

    // Act + assert: from the first row, ArrowDown twice, ArrowUp once lands on the second row.
    await rows.first().focus();
    expect(await page.evaluate(activeSessionId)).toBe(order[0]);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(activeSessionId)).toBe(order[1]);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(activeSessionId)).toBe(order[2]);
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(activeSessionId)).toBe(order[1]);

    // Act: Enter opens it.
    await page.keyboard.press('Enter');

    // Assert: the conversation is that store's.
    const chosen = sent.find(({ first }) => first.session.id === order[1])!;
    await messagesList(page).getByText(chosen.first.message.content).waitFor();

    // Act: claim from the keyboard, then type in "Message": Shift+Enter breaks the line, Enter sends.
    await action(page, 'Claim').press('Enter');
    await action(page, 'Release').waitFor();
    const textbox = composer(page);
    await textbox.focus();
    await page.keyboard.type('Sorry about that.');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('A replacement ships today.');
    await page.keyboard.press('Enter');

    // Assert: the store has the two-line reply once, and the composer is empty for the next one.
    const reply = await until(
      async () => (await use.storeHistory(chosen.store.token)).messages.filter((message) => message.sender_type === 'admin'),
      (messages) => messages.length > 0,
      'the reply in the store\'s history',
    );
    expect(reply.map((message) => message.content)).toEqual(['Sorry about that.\nA replacement ships today.']);
    await until(() => textbox.inputValue(), (value) => value === '', 'the composer cleared');
    await messagesList(page).locator(`[data-message-id="${reply[0]!.id}"]`).waitFor();
    expect(agent.reports.cspViolations).toEqual([]);
    expect(agent.reports.errors).toEqual([]);
  });
});
