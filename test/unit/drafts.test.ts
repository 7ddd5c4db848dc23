import { inferAttachmentType } from '../../lib/chat/attachments';
import { adminSendFrame, batchDrafts, singleDraft, storeBatchEnvelope, storeMessageFields } from '../../lib/chat/drafts';
import { BadRequestError } from '../../lib/errors';

const store = (body: unknown) => singleDraft(storeMessageFields.parse(body));
const adminIssues = (body: Record<string, unknown>) => {
  const parsed = adminSendFrame.safeParse({ session_id: 1, ...body });
  return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
};

describe('message drafts', () => {
  it('keep content exactly and fill absent attachment fields with ""', () => {
    expect(store({ content: '  hi  ' })).toEqual({ content: '  hi  ', attachment_url: '', attachment_type: '' });
  });

  it("require content, an attachment or a product, with seed 000's error", () => {
    expect(() => store({ content: '   ' })).toThrow(new BadRequestError('Message content or attachment is required'));
    expect(store({ product_id: 7 })).toMatchObject({ product_id: 7, content: '' });
  });

  it('leave an undeclared attachment type for the attach step to settle, and normalise a declared one', () => {
    expect(store({ attachment_url: 'https://cdn.example.com/a/photo.jpg' }).attachment_type).toBe('');
    expect(store({ attachment_url: 'https://x.example/a', attachment_type: ' Image/PNG ' }).attachment_type).toBe('image/png');
  });

  it("infer an external URL's type from its extension, ignoring the query", () => {
    expect(inferAttachmentType('https://cdn.example.com/a/Report.PDF?sig=1')).toBe('application/pdf');
    expect(inferAttachmentType('https://cdn.example.com/a/blob')).toBe('application/octet-stream');
  });

  it('ignore unknown fields, including __proto__', () => {
    const body = JSON.parse('{"content": "hi", "__proto__": {"polluted": true}, "extra": 1}') as unknown;
    expect(store(body)).toEqual({ content: 'hi', attachment_url: '', attachment_type: '' });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('carry a client_message_id of safe characters only', () => {
    expect(store({ content: 'hi', client_message_id: 'app-1:42' }).client_message_id).toBe('app-1:42');
    expect(storeMessageFields.safeParse({ content: 'hi', client_message_id: 'has space' }).success).toBe(false);
    expect(storeMessageFields.safeParse({ content: 'hi', client_message_id: 'x'.repeat(65) }).success).toBe(false);
  });

  it.each([
    ['a whitespace https URL', 'https://example.com/a b.png'],
    ['a data: URL', 'data:image/png;base64,AAAA'],
    ['a file: URL', 'file:///etc/passwd'],
    ['a relative URL', '/uploads/a.png'],
  ])('refuse %s', (_case, attachment_url) => {
    expect(storeMessageFields.safeParse({ attachment_url }).success).toBe(false);
  });

  it('refuse action messages from stores', () => {
    expect(storeMessageFields.safeParse({ content: 'hi', special_type: 'open_url' }).error?.issues[0]?.message).toBe('Only admins can send action messages');
  });

  describe('admin actions', () => {
    it('accept an https link and a list of quick replies, each with content', () => {
      expect(adminIssues({ content: 'Track it', special_type: 'open_url', special_param: 'https://shop.example/track/1' })).toEqual({});
      expect(adminIssues({ content: 'Did that help?', special_type: 'quick_replies', special_param: ['Yes', 'No'] })).toEqual({});
    });

    it.each([
      ['a plain http link', { content: 'x', special_type: 'open_url', special_param: 'http://shop.example' }, { special_param: 'Must be an https URL' }],
      ['a javascript: link', { content: 'x', special_type: 'open_url', special_param: 'javascript:alert(1)' }, { special_param: 'Must be an https URL' }],
      ['no replies', { content: 'x', special_type: 'quick_replies', special_param: [] }, { special_param: 'Must offer at least one reply' }],
      ['a reply that is too long', { content: 'x', special_type: 'quick_replies', special_param: ['y'.repeat(41)] }, { 'special_param.0': 'Must be at most 40 characters' }],
      ['an unknown action', { content: 'x', special_type: 'block' }, { special_type: 'Must be open_url or quick_replies' }],
      ['a parameter without an action', { content: 'x', special_param: 'https://a.example' }, { special_param: 'Requires special_type' }],
      ['an action without content', { special_type: 'open_url', special_param: 'https://a.example' }, { content: 'An action message needs content to show' }],
    ])('refuse %s', (_case, body, issues) => {
      expect(adminIssues(body)).toEqual(issues);
    });
  });

  describe('batches', () => {
    it('name the index and field of every failing item, field errors and rules across fields alike', () => {
      const messages = storeBatchEnvelope.parse({
        messages: [{ content: 'ok' }, { content: ' ' }, { attachment_type: 'image/png', content: 'x' }, { content: 7 }, 'not an object'],
      }).messages;

      const { drafts, errors } = batchDrafts(messages);

      expect(drafts.map((draft) => draft?.content)).toEqual(['ok', undefined, undefined, undefined, undefined]);
      expect(errors).toEqual({
        'messages.1.content': ['Message content or attachment is required'],
        'messages.2.attachment_type': ['Requires attachment_url'],
        'messages.3.content': ['Must be a string'],
        'messages.4': [expect.any(String)],
      });
    });

    it('hold at most 20 messages and at least one', () => {
      expect(storeBatchEnvelope.safeParse({ messages: [] }).success).toBe(false);
      expect(storeBatchEnvelope.safeParse({ messages: Array.from({ length: 21 }, () => ({ content: 'x' })) }).success).toBe(false);
    });
  });
});
