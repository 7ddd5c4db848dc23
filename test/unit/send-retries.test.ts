import { attachmentUrls } from '../../lib/attachments/urls';
import type { MessageDraft } from '../../lib/chat/drafts';
import type { ItemError } from '../../lib/chat/send-checks';
import { identityOf, pairRepeats, sameRequest } from '../../lib/chat/send-retries';
import type { Entry } from '../../lib/entities/session';
import { NotFoundError } from '../../lib/errors';

const at = '2026-01-01T10:00:00.000Z';
const urls = attachmentUrls('chat-bucket', 'eu-west-1');
const original: Entry = {
  seq: 3,
  id: 5_000_003,
  session: { id: 5, store_id: 7, admin_id: null, status: 'open', created: at, updated: at, last_message_at: at },
  sender_type: 'store',
  sender_id: 7,
  client_message_id: 'c-1',
  content: 'the photo',
  attachment_url: urls.canonicalUrl('attachments/store/7/0b0c9a4e-1111-4222-8333-944445555666/photo.jpg'),
  attachment_type: 'image/jpeg',
  delivery: 'sent',
  created: at,
  write_id: 'w',
};
const retry = (fields: Partial<MessageDraft> = {}): MessageDraft => ({
  content: 'the photo',
  attachment_url: urls.canonicalUrl('uploads/store/7/0b0c9a4e-1111-4222-8333-944445555666/photo.jpg'),
  attachment_type: '',
  client_message_id: 'c-1',
  ...fields,
});

describe('recognising a retried message', () => {
  it('takes the upload a message was copied from as the same attachment', () => {
    expect(sameRequest(urls, original, retry())).toBe(true);
  });

  it('takes a declared type that agrees with the stored one, alias or not, as the same message', () => {
    expect(sameRequest(urls, original, retry({ attachment_type: 'image/jpg' }))).toBe(true);
    expect(sameRequest(urls, original, retry({ attachment_type: 'image/png' }))).toBe(false);
  });

  it('tells apart a retry whose content, attachment, product or special differs', () => {
    expect(sameRequest(urls, original, retry({ content: 'another photo' }))).toBe(false);
    expect(sameRequest(urls, original, retry({ attachment_url: urls.canonicalUrl('uploads/store/7/0b0c9a4e-1111-4222-8333-944445555666/other.jpg') }))).toBe(false);
    expect(sameRequest(urls, original, retry({ product_id: 9 }))).toBe(false);
    expect(sameRequest(urls, original, retry({ special: { type: 'open_url', param: 'https://example.com/' } }))).toBe(false);
  });

  it('compares other URLs as written, without an attachment store', () => {
    const external = { ...original, attachment_url: 'https://example.com/a.pdf', attachment_type: 'application/pdf' };

    expect(sameRequest(undefined, external, retry({ attachment_url: 'https://example.com/a.pdf' }))).toBe(true);
    expect(sameRequest(undefined, external, retry({ attachment_url: 'https://example.com/b.pdf' }))).toBe(false);
  });

  it('names a draft by its sender and client id, and not at all without one', () => {
    const { client_message_id: _id, ...withoutId } = retry();

    expect(identityOf({ kind: 'admin', id: 2 }, retry())).toEqual({ sender_type: 'admin', sender_id: 2, client_message_id: 'c-1' });
    expect(identityOf({ kind: 'store', id: 7 }, withoutId)).toBeUndefined();
  });
});

describe('the same client id twice in one request', () => {
  const draft = (content: string, client_message_id?: string): MessageDraft => ({ content, attachment_url: '', attachment_type: '', ...(client_message_id ? { client_message_id } : {}) });

  it('answers an identical repeat with the first item', () => {
    const found: ItemError[] = [];

    const sameAs = pairRepeats([draft('hi', 'a'), draft('other', 'b'), draft('hi', 'a')], new Map(), found);

    expect([...sameAs]).toEqual([[2, 0]]);
    expect(found).toEqual([]);
  });

  it('refuses a different message under a used id with 409 on the repeat', () => {
    const found: ItemError[] = [];

    pairRepeats([draft('hi', 'a'), draft('changed', 'a')], new Map(), found);

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ index: 1, error: { status: 409, errors: { client_message_id: ['Was already used for a different message'] } } });
  });

  it('leaves out items without an id, items already answered as retries, and items already refused', () => {
    const found: ItemError[] = [];
    const refusedFirst: ItemError[] = [{ index: 0, error: new NotFoundError('Product not found', { product_id: ['Was not found'] }) }];

    expect(pairRepeats([draft('hi'), draft('hi')], new Map(), found).size).toBe(0);
    expect(pairRepeats([draft('hi', 'a'), draft('hi', 'a')], new Map([[0, original]]), found).size).toBe(0);
    expect(pairRepeats([draft('hi', 'a'), draft('hi', 'a')], new Map(), refusedFirst).size).toBe(0);
    expect(found).toEqual([]);
  });
});
