import { useChatStack } from '../support/chat-stack';
import { type Frame } from '../support/harness';
import { activeSessionId, chatEntries } from '../support/inspect';

describe('action messages', () => {
  const { stack, use, api, claimedSession, adminSays } = useChatStack();

  it('lets an admin send an open_url action, which the store lists with its special_type and special_param', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await claimedSession(ann, store.token);

    const message = await adminSays(ann, session.id, { content: 'Track your parcel', special_type: 'open_url', special_param: 'https://shop.example.com/track/1042' });
    const listed = (await api.storeHistory(store.token)).messages.find((m) => m.id === message.id);

    expect(message).toMatchObject({ type: 'text', content: 'Track your parcel', special_type: 'open_url', special_param: 'https://shop.example.com/track/1042' });
    expect(listed).toMatchObject({ special_type: 'open_url', special_param: 'https://shop.example.com/track/1042', content: 'Track your parcel' });
  });

  it('lets an admin offer 1 to 10 quick replies of up to 40 characters', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await claimedSession(ann, store.token);
    const ten = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(40, 'x'));

    const yesNo = await adminSays(ann, session.id, { content: 'Did that fix it?', special_type: 'quick_replies', special_param: ['Yes', 'No'] });
    const most = await adminSays(ann, session.id, { content: 'Pick one', special_type: 'quick_replies', special_param: ten });
    const listed = (await api.storeHistory(store.token)).messages.filter((m) => m.sender_type === 'admin');

    expect(yesNo).toMatchObject({ special_type: 'quick_replies', special_param: ['Yes', 'No'] });
    expect(listed.map((m) => [m.id, m.special_type, m.special_param])).toEqual([
      [yesNo.id, 'quick_replies', ['Yes', 'No']],
      [most.id, 'quick_replies', ten],
    ]);
  });

  it('refuses a bad action with a 400 error frame naming the field, and stores nothing', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await claimedSession(ann, store.token);
    const cases: [Record<string, unknown>, Record<string, string[]>][] = [
      [{ content: 'Go', special_type: 'open_url', special_param: 'http://shop.example.com' }, { special_param: ['Must be an https URL'] }],
      [{ content: 'Go', special_type: 'open_url', special_param: 'javascript:alert(1)' }, { special_param: ['Must be an https URL'] }],
      [{ content: 'Go', special_type: 'open_url' }, { special_param: ['Must be a string'] }],
      [{ content: 'Pick', special_type: 'quick_replies', special_param: [] }, { special_param: ['Must offer at least one reply'] }],
      [{ content: 'Pick', special_type: 'quick_replies', special_param: Array.from({ length: 11 }, (_, i) => `r${i}`) }, { special_param: ['Must offer at most 10 replies'] }],
      [{ content: 'Pick', special_type: 'quick_replies', special_param: ['ok', 'x'.repeat(41)] }, { 'special_param.1': ['Must be at most 40 characters'] }],
      [{ content: 'Pick', special_type: 'quick_replies', special_param: 'Yes' }, { special_param: ['Must be a list of replies'] }],
      [{ special_type: 'quick_replies', special_param: ['Yes'] }, { content: ['An action message needs content to show'] }],
      [{ content: 'Go', special_type: 'teleport', special_param: 'x' }, { special_type: ['Must be open_url or quick_replies'] }],
      [{ content: 'Go', special_param: 'https://example.com' }, { special_param: ['Requires special_type'] }],
    ];

    const answers: Frame[] = [];
    for (const [frame] of cases) answers.push(await ann.socket.request({ action: 'send', session_id: session.id, ...frame }));

    expect(answers.map((a) => [a.type, a.status, a.errors])).toEqual(cases.map(([, errors]) => ['error', 400, errors]));
    expect((await chatEntries(stack, session.id)).filter((e) => e.sender_type === 'admin')).toEqual([]);
  });

  it('refuses special_type from a store with 400: only admins can send action messages', async () => {
    const store = await stack.createStore();

    const response = await api.send(store.token, { content: 'Click me', special_type: 'open_url' });

    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'Invalid request body', errors: { special_type: ['Only admins can send action messages'] } });
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
  });
});
