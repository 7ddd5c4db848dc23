import { appendToSession } from '../../lib/chat/append';
import { chatTableRef } from '../../lib/deps';
import { inboxKey } from '../../lib/entities/inbox';
import { appendEntry, messageId, readHead, type Entry, type SessionState } from '../../lib/entities/session';
import { useTestStack } from '../support/harness';
import { openInboxEntries } from '../support/inspect';

let nextSession = 1000;

function entryFor(state: SessionState, seq: number, content: string, writeId = `w-${seq}-${content}`): Entry {
  const created = new Date(Date.parse(state.created) + seq).toISOString();
  return {
    seq,
    id: messageId(state.id, seq),
    session: { ...state, updated: created, last_message_at: created },
    sender_type: 'store',
    sender_id: state.store_id,
    content,
    attachment_url: '',
    attachment_type: '',
    delivery: 'sent',
    created,
    write_id: writeId,
  };
}

function freshState(): SessionState {
  const created = new Date().toISOString();
  return { id: nextSession++, store_id: 1, admin_id: null, status: 'open', created, updated: created, last_message_at: created };
}

describe('the session log on DynamoDB Local', () => {
  const stack = useTestStack();

  it('gives a slot to the first writer and tells the second who holds it', async () => {
    const ref = chatTableRef(stack.deps);
    const state = freshState();

    const first = await appendEntry(ref, entryFor(state, 1, 'winner'));
    const second = await appendEntry(ref, entryFor(state, 1, 'loser'));

    expect(first).toEqual({ ok: true });
    expect(second).toMatchObject({ ok: false, occupant: { seq: 1, content: 'winner' } });
  });

  it('appends every one of 25 racing writers exactly once, in one total order', async () => {
    const ref = chatTableRef(stack.deps);
    const state = freshState();

    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        appendToSession(ref, state.id, undefined, (head) => entryFor(head?.session ?? state, (head?.seq ?? 0) + 1, `writer ${i}`, `writer-${i}`)),
      ),
    );

    const seqs = results.map((r) => r.entry.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const head = await readHead(ref, state.id);
    expect(head?.seq).toBe(25);
    expect(new Set(results.map((r) => r.entry.content)).size).toBe(25);
  });

  it('recognises its own write when a retried put finds the slot already holding it', async () => {
    const ref = chatTableRef(stack.deps);
    const state = freshState();
    const mine = entryFor(state, 1, 'mine', 'same-write');
    await appendEntry(ref, mine);

    const retried = await appendToSession(ref, state.id, undefined, () => mine);

    expect(retried.entry).toMatchObject({ seq: 1, write_id: 'same-write' });
    expect((await readHead(ref, state.id))?.seq).toBe(1);
  });
});

describe('the inbox', () => {
  const stack = useTestStack();

  it('holds exactly one entry per session, at its latest last_message_at', async () => {
    const store = await stack.createStore();
    let last: { session: SessionState } | undefined;
    for (const content of ['one', 'two', 'three']) {
      last = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content } })).json as { session: SessionState };
    }

    const mine = await openInboxEntries(stack, last!.session.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ ...inboxKey(last!.session), last_entry: { preview: 'three', sender_type: 'store' } });
  });
});
