import { chat, seeds } from '../support/chat';
import { action, consoleUrl, messageEl, sessionRow, signIn, tab, until, useBrowser } from '../support/browser';
import { png } from '../support/files';
import { useTestStack } from '../support/harness';

describe('an image sent from the console', () => {
  const stack = useTestStack();
  const browser = useBrowser();
  const use = chat(stack);
  const api = seeds(stack);

  test('uploads through the presigned form, reaches the store\'s history and shows as a thumbnail', async () => {
    // Arrange: a store's session, claimed by the agent in the console.
    const admin = await stack.createAdmin('Ann');
    const store = await stack.createStore('Acme Outdoor');
    const first = await use.storeSays(store.token, 'The order page looks broken');
    const agent = await browser.agent();
    await signIn(agent.page, consoleUrl(stack.httpUrl), admin.token);
    await tab(agent.page, 'Unclaimed').click();
    await sessionRow(agent.page, first.session.id).click();
    await action(agent.page, 'Claim').click();
    await action(agent.page, 'Release').waitFor();

    // Act: attach a PNG (the file input's label is "Attach file"): the console uploads it and sends it.
    await agent.page.getByLabel('Attach file').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: png });
    const sent = await until(
      async () => (await api.storeHistory(store.token)).messages.find((message) => message.sender_type === 'admin' && message.attachment_type === 'image/png'),
      (message) => message !== undefined,
      'the image in the store\'s history',
    );

    // Assert: the store's history has it once, as an upload of the admin's; the console renders a loaded thumbnail.
    const history = await api.storeHistory(store.token);
    expect(history.messages.filter((message) => message.attachment_type === 'image/png')).toHaveLength(1);
    expect(sent!.attachment_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*screenshot\.png/);
    const thumbnail = messageEl(agent.page, sent!.id).locator('img');
    await thumbnail.waitFor();
    await until(
      () => thumbnail.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0),
      (loaded) => loaded,
      'the thumbnail loaded (allowed by the CSP\'s img-src)',
    );
    expect(agent.reports.cspViolations).toEqual([]);
    expect(agent.reports.errors).toEqual([]);
  });
});
