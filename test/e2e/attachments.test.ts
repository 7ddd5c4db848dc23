import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { maxAttachmentBytes } from '../../lib/attachments/policy';
import { chat, type Sent } from '../support/chat';
import { csv, html, jpeg, pdf, png } from '../support/files';
import { useTestStack } from '../support/harness';
import { activeSessionId } from '../support/inspect';

interface Ticket {
  attachment_url: string;
  upload: { url: string; method: string; fields: Record<string, string>; expires_at: string };
}

describe('attachments', () => {
  const stack = useTestStack();
  const use = chat(stack);

  afterEach(() => use.closeSockets());

  const ticketFor = async (token: string, kind: 'store' | 'admin', request: Record<string, unknown>) =>
    stack.post(`/v1/chat/${kind}/attachment/`, { token, body: request });

  /** What a client does: ask for a ticket, then POST the form (fields first, file last) straight to S3. */
  const upload = async (token: string, bytes: Buffer, fileName: string, contentType: string, kind: 'store' | 'admin' = 'store', declaredSize = bytes.length) => {
    const response = await ticketFor(token, kind, { file_name: fileName, content_type: contentType, size: declaredSize });
    expect(response.status).toBe(200);
    const ticket = response.json as Ticket;
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
    form.append('file', new Blob([bytes]), fileName);
    const stored = await fetch(ticket.upload.url, { method: ticket.upload.method, body: form });
    return { ticket, status: stored.status, body: await stored.text() };
  };

  const send = (token: string, body: Record<string, unknown>) => stack.post('/v1/chat/store/message/', { token, body });

  it('uploads, sends, pushes the admin a working link, and serves the same bytes', async () => {
    const ann = await use.admin();
    const store = await stack.createStore();
    const { ticket, status } = await upload(store.token, png, 'broken order page.png', 'image/png');

    const sent = await send(store.token, { content: 'See the screenshot', attachment_url: ticket.attachment_url });

    expect(status).toBe(204);
    expect(sent.status).toBe(200);
    const event = await ann.socket.nextOfType('message.created');
    const message = event.message as { attachment_url: string; attachment_type: string; content: string };
    expect(message).toMatchObject({ content: 'See the screenshot', attachment_type: 'image/png' });
    expect(message.attachment_url).toBe((sent.json as Sent & { message: { attachment_url: string } }).message.attachment_url);
    expect(message.attachment_url).toContain('X-Amz-Expires=900');
    const download = await fetch(message.attachment_url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
  });

  it('describes the presigned upload: URL, method, form fields and expiry', async () => {
    const store = await stack.createStore();

    const response = await ticketFor(store.token, 'store', { file_name: '../../etc/passwd?.png', content_type: 'image/png', size: 68 });

    const ticket = response.json as Ticket;
    expect(ticket.upload).toMatchObject({ method: 'POST', url: `${stack.s3Endpoint}/${stack.bucket}` });
    expect(Object.keys(ticket.upload.fields).sort()).toEqual(
      ['Content-Type', 'Policy', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature', 'bucket', 'key'].sort(),
    );
    expect(ticket.upload.fields.key).toMatch(new RegExp(`^uploads/store/${store.id}/[0-9a-f-]{36}/etc_passwd.png$`));
    expect(ticket.attachment_url).toBe(`https://${stack.bucket}.s3.us-east-1.amazonaws.com/${ticket.upload.fields.key}`);
    expect(Date.parse(ticket.upload.expires_at) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
  });

  it('sends an attachment with no content, and lists it with a working link in history', async () => {
    const store = await stack.createStore();
    const { ticket } = await upload(store.token, pdf, 'invoice.pdf', 'application/pdf');

    const sent = await send(store.token, { attachment_url: ticket.attachment_url });
    const history = await use.storeHistory(store.token);

    expect(sent.status).toBe(200);
    const listed = history.messages[0] as unknown as { content: string; attachment_url: string; attachment_type: string };
    expect(listed).toMatchObject({ content: '', attachment_type: 'application/pdf' });
    expect(Buffer.from(await (await fetch(listed.attachment_url)).arrayBuffer()).equals(pdf)).toBe(true);
  });

  it.each([
    ['a PDF uploaded without an extension', pdf, 'document', 'application/pdf', 'application/pdf'],
    ['a CSV named .csv', csv, 'orders.csv', 'text/csv', 'text/csv'],
    ['a JPEG whose name says .png', jpeg, 'photo.png', 'image/png', 'image/jpeg'],
  ])('detects the type from the bytes when none is declared: %s', async (_case, bytes, name, uploadType, expected) => {
    const store = await stack.createStore();
    const { ticket } = await upload(store.token, bytes, name, uploadType);

    const sent = await send(store.token, { attachment_url: ticket.attachment_url });

    expect(sent.status).toBe(200);
    expect((sent.json as { message: { attachment_type: string } }).message.attachment_type).toBe(expected);
  });

  it('lets an admin upload and send an attachment over the WebSocket', async () => {
    const ann = await use.admin();
    const store = await stack.createStore();
    const { session } = await use.storeSays(store.token, 'can you send the form?');
    await ann.socket.request({ action: 'claim', session_id: session.id });
    const { ticket } = await upload(ann.token, pdf, 'return-form.pdf', 'application/pdf', 'admin');

    const reply = await ann.socket.request({ action: 'send', session_id: session.id, attachment_url: ticket.attachment_url });
    const history = await use.storeHistory(store.token);

    expect(reply).toMatchObject({ type: 'result', message: { sender_type: 'admin', attachment_type: 'application/pdf' } });
    const link = history.messages.at(-1) as unknown as { attachment_url: string };
    expect(Buffer.from(await (await fetch(link.attachment_url)).arrayBuffer()).equals(pdf)).toBe(true);
  });

  describe('refusals', () => {
    it('refuses a declared size over the limit, and S3 refuses a body larger than declared', async () => {
      const store = await stack.createStore();

      const tooBig = await ticketFor(store.token, 'store', { file_name: 'huge.mp4', content_type: 'video/mp4', size: maxAttachmentBytes + 1 });
      const lying = await upload(store.token, Buffer.concat([png, Buffer.alloc(100)]), 'a.png', 'image/png', 'store', png.length);
      const sent = await send(store.token, { attachment_url: lying.ticket.attachment_url });

      expect([tooBig.status, tooBig.json]).toEqual([400, { error: 'Invalid request body', errors: { size: [`Must be at most ${maxAttachmentBytes} bytes (20 MB)`] } }]);
      expect(lying.status).toBe(400);
      expect(lying.body).toContain('EntityTooLarge');
      expect(sent.json).toEqual({ error: 'Invalid request body', errors: { attachment_url: ['Upload the file before sending it'] } });
    });

    it.each(['text/html', 'image/svg+xml', 'application/x-msdownload', 'application/zip'])('refuses to issue an upload for %s', async (type) => {
      const store = await stack.createStore();

      const response = await ticketFor(store.token, 'store', { file_name: 'x', content_type: type, size: 10 });

      expect([response.status, response.json]).toEqual([400, { error: 'Invalid request body', errors: { content_type: ['This file type is not allowed'] } }]);
    });

    it('refuses a declared type that contradicts the bytes, and bytes of a forbidden type', async () => {
      const store = await stack.createStore();
      const image = await upload(store.token, png, 'a.png', 'image/png');
      const disguised = await upload(store.token, html, 'cute-cat.png', 'image/png');

      const contradicted = await send(store.token, { attachment_url: image.ticket.attachment_url, attachment_type: 'application/pdf' });
      const forbidden = await send(store.token, { attachment_url: disguised.ticket.attachment_url });

      expect(contradicted.json).toEqual({ error: 'Invalid request body', errors: { attachment_type: ['Does not match the file, which is image/png'] } });
      expect(forbidden.json).toEqual({ error: 'Invalid request body', errors: { attachment_url: ['The file type text/html is not allowed'] } });
    });

    it("refuses another store's upload, forged keys, and uploads that never happened", async () => {
      const alice = await stack.createStore('Alice');
      const mallory = await stack.createStore('Mallory');
      const { ticket } = await upload(alice.token, png, 'a.png', 'image/png');
      const unused = (await ticketFor(mallory.token, 'store', { file_name: 'b.png', content_type: 'image/png', size: 10 })).json as Ticket;
      const base = `https://${stack.bucket}.s3.us-east-1.amazonaws.com/`;
      const attempts = [
        ticket.attachment_url,
        `${base}uploads/store/${mallory.id}/not-a-uuid/a.png`,
        `${base}attachments/store/${alice.id}/${ticket.upload.fields.key!.split('/')[3]}/a.png`,
        `${base}uploads/admin/1/00000000-0000-0000-0000-000000000000/a.png`,
      ];

      const answers = await Promise.all(attempts.map((attachment_url) => send(mallory.token, { attachment_url })));
      const neverUploaded = await send(mallory.token, { attachment_url: unused.attachment_url });

      for (const answer of answers) expect(answer.json).toEqual({ error: 'Invalid request body', errors: { attachment_url: ['Is not one of your uploads'] } });
      expect(neverUploaded.json).toEqual({ error: 'Invalid request body', errors: { attachment_url: ['Upload the file before sending it'] } });
      expect(await use.storeHistory(mallory.token)).toEqual({ session: null, messages: [], has_more: false });
    });

    it.each([
      ['a javascript: URL', 'javascript:alert(1)'],
      ['a data: URL', 'data:image/png;base64,AAAA'],
      ['a file: URL', 'file:///etc/passwd'],
      ['a plain http URL', 'http://example.com/a.png'],
      ['an over-long URL', `https://example.com/${'a'.repeat(2048)}`],
    ])(
      'refuses %s',
      async (_case, attachment_url) => {
        const store = await stack.createStore();

        const response = await send(store.token, { attachment_url });

        expect(response.status).toBe(400);
        expect(response.json).toMatchObject({ error: 'Invalid request body', errors: { attachment_url: [expect.any(String)] } });
      },
    );
  });

  it('accepts an external https URL, types it by extension, and never fetches it', async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const store = await stack.createStore();

    const response = await send(store.token, { attachment_url: `https://127.0.0.1:${port}/catalog/shoe.webp` });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ message: { attachment_url: `https://127.0.0.1:${port}/catalog/shoe.webp`, attachment_type: 'image/webp' } });
    expect(connections).toBe(0);
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('attachments when S3 is unreachable', () => {
  // The functions' S3 endpoint points at a closed port.
  const stack = useTestStack({ extraEnv: { S3_ENDPOINT: 'http://127.0.0.1:9' } });

  it('answers the upload endpoint with 503 and a clear error', async () => {
    const store = await stack.createStore();

    const response = await stack.post('/v1/chat/store/attachment/', { token: store.token, body: { file_name: 'a.png', content_type: 'image/png', size: 10 } });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.json).toEqual({ error: 'Attachment storage is unavailable, please retry' });
  });

  it('answers a message naming an upload with 503, and stores nothing', async () => {
    const store = await stack.createStore();
    const ours = `https://${stack.bucket}.s3.us-east-1.amazonaws.com/uploads/store/${store.id}/00000000-0000-4000-8000-000000000000/a.png`;

    const response = await stack.post('/v1/chat/store/message/', { token: store.token, body: { attachment_url: ours } });

    expect(response.status).toBe(503);
    expect(response.json).toEqual({ error: 'Attachment storage is unavailable, please retry' });
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
  });
});
