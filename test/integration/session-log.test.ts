import { appendToLog, write, type EntryDraft } from '../../lib/chat/session-log';
import { chatTableRef, createDeps } from '../../lib/deps';
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

function storeText(storeId: number, content: string): EntryDraft {
  return { sender: { sender_type: 'store', sender_id: storeId }, body: { content, attachment_url: '', attachment_type: '', delivery: 'sent' }, change: {} };
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
        appendToLog(stack.deps, { sessionId: state.id, head: undefined, opening: { storeId: 1, recent: undefined } }, () => write(storeText(1, `writer ${i}`))),
      ),
    );

    const seqs = results.map((r) => r.entry.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const head = await readHead(ref, state.id);
    expect(head?.seq).toBe(25);
    expect(new Set(results.map((r) => r.entry.content)).size).toBe(25);
  });

  it('recognises its own write when a retried put finds the slot already holding it', async () => {
    const state = freshState();
    // The SDK retrying a put whose response was lost: the first try lands, the second finds it.
    const deps = createDeps(stack.env);
    deps.db.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand' && JSON.stringify(args.input).includes('"MSG#')) await next(args);
        return next(args);
      },
      { step: 'initialize', name: 'putTwice' },
    );

    const retried = await appendToLog(deps, { sessionId: state.id, head: undefined, opening: { storeId: 1, recent: undefined } }, () => write(storeText(1, 'mine')));

    expect(retried).toMatchObject({ kind: 'appended', entry: { seq: 1, content: 'mine' } });
    expect((await readHead(chatTableRef(stack.deps), state.id))?.write_id).toBe(retried.entry.write_id);
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
