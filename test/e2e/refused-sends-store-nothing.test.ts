import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { localCredentials } from '../../lib/aws-http';
import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { attachmentsPrefix } from '../../lib/attachments/policy';
import { chat } from '../support/chat';
import { png } from '../support/files';
import { useTestStack, type TestStack } from '../support/harness';
import { activeSessionId, chatEntries } from '../support/inspect';

interface Ticket {
  attachment_url: string;
  upload: { url: string; method: string; fields: Record<string, string> };
}

/** Runs once, in the middle of the next CopyObject a function makes (after S3 took the copy): a racing request. */
let duringNextCopy: (() => Promise<void>) | undefined;

/** Every key under attachments/ of one store, read straight from the S3 emulator. */
async function sentFiles(stack: TestStack, storeId: number): Promise<string[]> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint, forcePathStyle: true, credentials: localCredentials });
  try {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `${attachmentsPrefix}store/${storeId}/` }));
    return (out.Contents ?? []).map((object) => object.Key!);
  } finally {
    s3.destroy();
  }
}

describe('a refused send stores nothing, S3 included', () => {
  const stack = useTestStack({
    extraEnv: { STORE_SEND_LIMIT: '3', STORE_SEND_WINDOW_SECONDS: '60' },
    clientHooks: {
      s3: (client) =>
        client.middlewareStack.add(
          (next, context) => async (args) => {
            const result = await next(args);
            if (context.commandName === 'CopyObjectCommand') {
              const race = duringNextCopy;
              duringNextCopy = undefined;
              await race?.();
            }
            return result;
          },
          { step: 'initialize', name: 'raceDuringCopy' },
        ),
    },
  });
  const use = chat(stack);

  afterEach(async () => {
    duringNextCopy = undefined;
    await use.closeSockets();
  });

  /** What a client does: a ticket, then the form straight to S3. */
  const upload = async (token: string): Promise<string> => {
    const response = await stack.post('/v1/chat/store/attachment/', { token, body: { file_name: 'shot.png', content_type: 'image/png', size: png.length } });
    expect(response.status).toBe(200);
    const ticket = response.json as Ticket;
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
    form.append('file', new Blob([png]), 'shot.png');
    expect((await fetch(ticket.upload.url, { method: ticket.upload.method, body: form })).status).toBe(204);
    return ticket.attachment_url;
  };

  const send = (token: string, body: Record<string, unknown>) => stack.post('/v1/chat/store/message/', { token, body });

  it('copies exactly one object for a send that succeeds', async () => {
    const store = await stack.createStore();
    const attachmentUrl = await upload(store.token);

    const sent = await send(store.token, { attachment_url: attachmentUrl });

    expect(sent.status).toBe(200);
    expect(await sentFiles(stack, store.id)).toHaveLength(1);
  });

  it('answers 404 for a batch of [own upload, another store\'s product] and copies nothing', async () => {
    const store = await stack.createStore();
    const other = await stack.createStore('Other');
    const theirs = (await importProducts(chatTableRef(stack.deps), other.id, [{ sku: 'THEIRS', price: 5 }])).products[0]!.id;
    const attachmentUrl = await upload(store.token);

    const refused = await stack.post('/v1/chat/store/messages/', { token: store.token, body: { messages: [{ attachment_url: attachmentUrl }, { product_id: theirs }] } });

    expect(refused.status).toBe(404);
    expect(refused.json).toEqual({ error: 'Product not found', errors: { 'messages.1.product_id': ['Product not found'] } });
    expect(await sentFiles(stack, store.id)).toEqual([]);
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
  });

  it('answers 429 over the send limit and copies nothing', async () => {
    const store = await stack.createStore();
    for (const content of ['one', 'two', 'three']) expect((await send(store.token, { content })).status).toBe(200);
    const attachmentUrl = await upload(store.token);

    const refused = await send(store.token, { attachment_url: attachmentUrl });

    expect(refused.status).toBe(429);
    expect(await sentFiles(stack, store.id)).toEqual([]);
  });

  it('answers 403 for a blocked store and copies nothing', async () => {
    const ann = await use.admin();
    const store = await stack.createStore();
    const attachmentUrl = await upload(store.token);
    expect((await ann.socket.request({ action: 'block', store_id: store.id })).type).not.toBe('error');

    const refused = await send(store.token, { attachment_url: attachmentUrl });

    expect(refused.status).toBe(403);
    expect(await sentFiles(stack, store.id)).toEqual([]);
  });

  it('removes the copy when the log refuses the send after it was made (a racing send took the last slot)', async () => {
    const store = await stack.createStore();
    for (const content of ['one', 'two']) expect((await send(store.token, { content })).status).toBe(200);
    const attachmentUrl = await upload(store.token);
    let racer: number | undefined;
    duringNextCopy = async () => {
      racer = (await send(store.token, { content: 'three, racing' })).status;
    };

    const refused = await send(store.token, { attachment_url: attachmentUrl });

    expect(racer).toBe(200);
    expect(refused.status).toBe(429);
    expect((await chatEntries(stack, (await activeSessionId(stack, store.id))!)).map((entry) => entry.content)).toEqual(['one', 'two', 'three, racing']);
    expect(await sentFiles(stack, store.id)).toEqual([]);
  });

  it('copies nothing again for an upload an earlier message sent, so no refusal can remove a file a message shows', async () => {
    const store = await stack.createStore();
    const attachmentUrl = await upload(store.token);
    const first = await send(store.token, { attachment_url: attachmentUrl });
    let copied = false;
    duringNextCopy = () => {
      copied = true;
      return Promise.resolve();
    };

    const again = await send(store.token, { content: 'the same file again', attachment_url: attachmentUrl });

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(copied).toBe(false);
    expect(await sentFiles(stack, store.id)).toHaveLength(1);
    const listed = (await stack.get('/v1/chat/store/messages/', { token: store.token })).json as { messages: { attachment_url: string }[] };
    for (const message of listed.messages.filter((m) => m.attachment_url !== '')) expect((await fetch(message.attachment_url)).status).toBe(200);
  });
});
