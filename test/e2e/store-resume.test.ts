import { setTimeout as sleep } from 'node:timers/promises';
import { connectionsTableRef } from '../../lib/deps';
import { listPrincipalConnections } from '../../lib/entities/connection';
import type { IssuedCredential } from '../../lib/ops/principals';
import type { Admin, FullMessage } from '../support/chat';
import { useChatStack } from '../support/chat-stack';
import { storedEntries } from '../support/inspect';
import { PhoneStore, repeated, storeTranscript } from '../support/store-socket';
import type { TestStack } from '../support/harness';

/**
 * Issue 13 point 5, mobile reality: a phone drops its socket whenever the app
 * goes to the background. The store app follows README "Resuming on a phone"
 * (test/support/store-socket.ts): on each socket, fetch `after=<last id>`
 * until `has_more` is false at once and 2 s after the socket opened, fetch on a
 * gap, and keep messages by id. Pushes and pages may overlap by design; what
 * must hold is that the app ends with exactly the session's messages, in
 * order, and that no socket is pushed a message twice, nor two sockets the
 * same one.
 */

/** Waits until the store has `count` connections in the index ($connect / $disconnect have run). */
async function untilStoreConnections(stack: TestStack, storeId: number, count: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await listPrincipalConnections(connectionsTableRef(stack.deps), { kind: 'store', id: storeId })).length !== count) {
    if (Date.now() > deadline) throw new Error(`store ${storeId} does not have ${count} connection(s) after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Every id pushed to the phone, over all its sockets. */
const allPushed = (phone: PhoneStore) => phone.sockets.flatMap((socket) => socket.pushed);

describe('a store on a phone that resumes after going to the background', () => {
  const { stack, use, claimedSession, adminSays } = useChatStack();

  /** A store with a session claimed by `admin`, and its app holding the store's first message. */
  async function phoneIn(admin: Admin, store: IssuedCredential, first = 'hi') {
    const opened = (await claimedSession(admin, store.token, first)) as unknown as { session: { id: number }; message: FullMessage };
    const phone = new PhoneStore(stack, store.token, opened.session.id);
    phone.add(opened.message);
    return phone;
  }

  it('ends with every message once and in order when the admin wrote while the app was in the background', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore('Acme');
    const phone = await phoneIn(ann, store);
    const sessionId = phone.sessionId;
    await phone.connect();
    await untilStoreConnections(stack, store.id, 1);

    const one = await adminSays(ann, sessionId, { content: 'one' });
    await untilPushed(phone, one.id);
    phone.background();
    await untilStoreConnections(stack, store.id, 0);
    const away: FullMessage[] = [];
    for (const content of ['two', 'three', 'four']) away.push(await adminSays(ann, sessionId, { content }));
    await phone.connect();
    await untilStoreConnections(stack, store.id, 1);
    const five = await adminSays(ann, sessionId, { content: 'five' });
    await phone.settle();

    const transcript = await storeTranscript(stack, store.token, sessionId);
    expect(phone.heldIds()).toEqual((await storedEntries(stack, sessionId)).map((entry) => entry.id));
    expect(phone.heldIds()).toEqual(transcript.map((message) => message.id));
    expect(phone.heldMessages().map((m) => [m.sender_type, m.content])).toEqual([
      ['store', 'hi'],
      ['system', ''],
      ['admin', 'one'],
      ['admin', 'two'],
      ['admin', 'three'],
      ['admin', 'four'],
      ['admin', 'five'],
    ]);
    // Sent while the store had no socket: "sent" then, "delivered" once its fetch brought them.
    expect(away.map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
    expect(transcript.filter((m) => away.some((a) => a.id === m.id)).map((m) => m.status)).toEqual(['delivered', 'delivered', 'delivered']);
    // Connecting pushes nothing: what was sent while away came from the pages, and only "five" was pushed to the new socket.
    expect(phone.sockets.map((socket) => socket.pushed)).toEqual([[one.id], [five.id]]);
    expect(phone.errors).toEqual([]);
  });

  it('ends with every message once and in order for each store, with several admins replying while the phones drop and reconnect', async () => {
    const admins = await Promise.all(['Ann', 'Bob', 'Cy'].map((name) => use.admin(name)));
    const stores = await Promise.all([1, 2, 3].map((n) => stack.createStore(`Store ${n}`)));
    const phones = await Promise.all(stores.map((store, i) => phoneIn(admins[i]!, store, `hello from store ${n(i)}`)));
    for (const phone of phones) await phone.connect();

    let replying = true;
    // Two replies in flight per admin, and now and then the store writes too: its own message is never pushed
    // to it, the app adds it from the response (and fetches when that response's id shows a gap).
    const lanes = phones.flatMap((phone, i) =>
      [0, 1].map(async (lane) => {
        for (let k = 1; replying || k <= 3; k++) {
          await adminSays(admins[i]!, phone.sessionId, { content: `reply ${lane}.${k} to store ${n(i)}` });
          if (lane === 0 && k % 4 === 0) phone.add((await use.storeSays(phone.token, `store ${n(i)} writes ${k}`)).message as FullMessage);
          await sleep(30 + ((k * 37 + i * 53 + lane * 29) % 80));
        }
      }),
    );
    // Each phone goes to the background and comes back, on its own rhythm; away for a while each time.
    const drops = phones.map(async (phone, i) => {
      for (const [lifetimeMs, awayMs] of [[400, 250], [700, 150], [300, 400], [550, 200]] as const) {
        await sleep(lifetimeMs + 90 * i);
        phone.background();
        await sleep(awayMs);
        await phone.connect();
      }
    });
    await Promise.all(drops);
    // Replies go on for 3 s after the last reconnect: past the recipe's second fetch.
    await sleep(3000);
    replying = false;
    await Promise.all(lanes);
    await Promise.all(phones.map((phone) => phone.settle()));

    for (const [i, phone] of phones.entries()) {
      const stored = (await storedEntries(stack, phone.sessionId)).map((entry) => entry.id);
      const transcript = (await storeTranscript(stack, phone.token, phone.sessionId)).map((message) => message.id);
      const pushed = allPushed(phone);
      expect({ store: n(i), held: phone.heldIds() }).toEqual({ store: n(i), held: stored });
      expect(transcript).toEqual(stored);
      // No frame twice on a socket, and no message pushed to two sockets.
      expect({ store: n(i), perSocket: phone.sockets.map((socket) => repeated(socket.pushed)) }).toEqual({ store: n(i), perSocket: phone.sockets.map(() => []) });
      expect({ store: n(i), twice: repeated(pushed) }).toEqual({ store: n(i), twice: [] });
      // Only this store's session reaches its sockets.
      expect(pushed.filter((id) => !stored.includes(id))).toEqual([]);
      expect(phone.sockets).toHaveLength(5);
      expect(phone.errors).toEqual([]);
    }
    // The sockets did carry most replies: resuming is a catch-up, not the channel.
    const replies = (await Promise.all(phones.map((phone) => storedEntries(stack, phone.sessionId)))).flat().filter((entry) => entry.sender_type === 'admin');
    expect(phones.flatMap(allPushed).length).toBeGreaterThan(replies.length / 2);
  }, 30_000);

  it('keeps working for an app that never opens a socket: polling after the last id brings each message once', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore('Acme');
    const phone = await phoneIn(ann, store);
    const sessionId = phone.sessionId;
    const seen: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        // Small pages, so a poll sometimes needs several: has_more says when to ask again at once.
        for (let more = true; more; ) {
          const page = await use.storeHistory(store.token, { after: phone.heldIds().at(-1), limit: 2 });
          for (const message of page.messages) {
            seen.push(message.id);
            phone.add(message as unknown as FullMessage);
          }
          more = page.has_more;
        }
        await sleep(100);
      }
    })();
    const sent: FullMessage[] = [];
    for (let k = 1; k <= 8; k++) {
      sent.push(await adminSays(ann, sessionId, { content: `reply ${k}` }));
      if (k % 3 === 0) await sleep(250);
    }
    await sleep(400);
    polling = false;
    await poller;

    const transcript = await storeTranscript(stack, store.token, sessionId);
    expect(phone.heldIds()).toEqual((await storedEntries(stack, sessionId)).map((entry) => entry.id));
    expect(phone.heldIds()).toEqual(transcript.map((message) => message.id));
    expect(repeated(seen)).toEqual([]);
    expect(phone.heldMessages().filter((m) => m.sender_type === 'admin').map((m) => m.content)).toEqual(sent.map((m) => m.content));
    // No socket: each reply was "sent", and the poll that brought it marked it delivered.
    expect(sent.map((m) => m.status)).toEqual(sent.map(() => 'sent'));
    expect(transcript.filter((m) => m.sender_type === 'admin').map((m) => m.status)).toEqual(sent.map(() => 'delivered'));
  });
});

const n = (i: number) => i + 1;

/** Waits until the phone's current socket was pushed `id`. */
async function untilPushed(phone: PhoneStore, id: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!phone.sockets.at(-1)?.pushed.includes(id)) {
    if (Date.now() > deadline) throw new Error(`message ${id} was not pushed to the store's socket within ${timeoutMs} ms`);
    await sleep(10);
  }
}
