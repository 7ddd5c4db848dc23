import { inferAttachmentType } from '../../lib/chat/attachments';
import { storeMessageBody, toMessageInput } from '../../lib/chat/store-message-input';
import { BadRequestError } from '../../lib/errors';

const parse = (body: unknown) => toMessageInput(storeMessageBody.parse(body));

describe('store message input', () => {
  it('keeps content exactly and fills absent attachment fields with ""', () => {
    expect(parse({ content: '  hi  ' })).toEqual({ content: '  hi  ', attachment_url: '', attachment_type: '' });
  });

  it('requires content or an attachment, with the seed error', () => {
    expect(() => parse({ content: '   ' })).toThrow(new BadRequestError('Message content or attachment is required'));
  });

  it('leaves an undeclared attachment type for the attach step to settle', () => {
    expect(parse({ attachment_url: 'https://cdn.example.com/a/photo.jpg' }).attachment_type).toBe('');
  });

  it('infers an external URL\'s type from its extension, ignoring the query', () => {
    expect(inferAttachmentType('https://cdn.example.com/a/Report.PDF?sig=1')).toBe('application/pdf');
    expect(inferAttachmentType('https://cdn.example.com/a/blob')).toBe('application/octet-stream');
  });

  it('normalises a declared MIME type to lower case', () => {
    expect(parse({ attachment_url: 'https://x.example/a', attachment_type: ' Image/PNG ' }).attachment_type).toBe('image/png');
  });

  it('ignores unknown fields, including __proto__', () => {
    const body = JSON.parse('{"content": "hi", "__proto__": {"polluted": true}, "extra": 1}') as unknown;
    expect(parse(body)).toEqual({ content: 'hi', attachment_url: '', attachment_type: '' });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it.each([
    ['https URL with whitespace', 'https://example.com/a b.png'],
    ['data: URL', 'data:image/png;base64,AAAA'],
    ['file: URL', 'file:///etc/passwd'],
    ['relative URL', '/uploads/a.png'],
  ])('refuses a %s', (_case, attachment_url) => {
    expect(storeMessageBody.safeParse({ attachment_url }).success).toBe(false);
  });
});
