import fc from 'fast-check';
import { attachmentUrlField } from '../../lib/chat/attachments';
import { adminSendFrame, storeMessageFields } from '../../lib/chat/drafts';
import { checkLink, linkProblems } from '../../lib/chat/links';

const problemOf = (raw: string) => {
  const checked = checkLink(raw);
  return 'problem' in checked ? checked.problem : undefined;
};
const hrefOf = (raw: string) => {
  const checked = checkLink(raw);
  return 'href' in checked ? checked.href : undefined;
};

describe('links (attachment_url, open_url)', () => {
  describe('refuse what deceives a reader', () => {
    it.each([
      ['user and password', 'https://user:pass@example.com/a.png'],
      ['a host that reads as another', 'https://shop.example.com@evil.example/login'],
      ['a user name only', 'https://user@example.com/'],
      ['an empty user name', 'https://@example.com/'],
      ['an empty password', 'https://user:@example.com/'],
      ['an upper-case scheme with a user', 'HTTPS://admin@example.com/'],
    ])('a user name or password: %s', (_case, raw) => {
      expect(problemOf(raw)).toBe(linkProblems.userinfo);
    });

    it.each([
      ['RIGHT-TO-LEFT OVERRIDE (displays as …/exe.png)', 'https://example.com/\u202egnp.exe'],
      ['LEFT-TO-RIGHT OVERRIDE', 'https://example.com/\u202dx'],
      ['RIGHT-TO-LEFT ISOLATE', 'https://example.com/\u2067x\u2069'],
      ['LEFT-TO-RIGHT MARK', 'https://example.com/\u200e'],
      ['ARABIC LETTER MARK', 'https://example.com/\u061c'],
      ['ZERO WIDTH SPACE in the host', 'https://exam\u200bple.com/'],
      ['ZERO WIDTH JOINER', 'https://example.com/a\u200db'],
      ['WORD JOINER', 'https://example.com/a\u2060b'],
      ['SOFT HYPHEN', 'https://exam\u00adple.com/'],
      ['BYTE ORDER MARK', '\ufeffhttps://example.com/'],
      ['NUL', 'https://example.com/\u0000'],
      ['DELETE', 'https://example.com/\u007f'],
      ['a C1 control', 'https://example.com/\u0085'],
      ['ESC (terminal escapes)', 'https://example.com/\u001b[31m'],
      ['a percent-encoded RIGHT-TO-LEFT OVERRIDE', 'https://example.com/%E2%80%AEgnp.exe'],
      ['a percent-encoded ZERO WIDTH SPACE in the query', 'https://example.com/?q=%e2%80%8b'],
    ])('control, bidi and invisible characters: %s', (_case, raw) => {
      expect(problemOf(raw)).toBe(linkProblems.invisible);
    });

    it.each([
      ['a space', 'https://example.com/a b.png'],
      ['a leading space', ' https://example.com/'],
      ['a trailing newline', 'https://example.com/\n'],
      ['a tab in the host (the parser strips it)', 'https://exa\tmple.com/'],
      ['a carriage return', 'https://example.com/\r'],
      ['NO-BREAK SPACE', 'https://example.com/\u00a0'],
      ['IDEOGRAPHIC SPACE', 'https://example.com/\u3000'],
      ['LINE SEPARATOR', 'https://example.com/\u2028'],
    ])('white space: %s', (_case, raw) => {
      expect(problemOf(raw)).toBe(linkProblems.whiteSpace);
    });

    it.each([
      ['in the path', 'https://example.com\\evil.example/'],
      ['as the slashes', 'https:\\\\example.com/'],
      ['in the query', 'https://example.com/?a=\\'],
    ])('a backslash %s', (_case, raw) => {
      expect(problemOf(raw)).toBe(linkProblems.backslash);
    });

    it.each([
      ['an IDN host (would become punycode)', 'https://bücher.example/'],
      ['a Cyrillic look-alike host', 'https://аpple.com/'],
      ['raw Unicode in the path (would be percent-encoded)', 'https://example.com/café.png'],
      ['a full-width dot', 'https://example\uff0ecom/'],
      ['a private-use character', 'https://example.com/\ue000'],
    ])('anything not ASCII: %s', (_case, raw) => {
      expect(problemOf(raw)).toBe(linkProblems.nonAscii);
    });

    it.each([
      ['a dot segment', 'https://example.com/a/../b.png'],
      ['a single-dot segment', 'https://example.com/./b.png'],
      ['a percent-encoded dot segment', 'https://example.com/%2e%2e/b.png'],
      ['a hexadecimal IPv4 host', 'https://0x7f.1/'],
      ['a decimal IPv4 host', 'https://2130706433/'],
      ['a percent-encoded host', 'https://ex%61mple.com/'],
      ['an uncompressed IPv6 host', 'https://[0:0::1]/'],
      ['a default port with a leading zero', 'https://example.com:0443/'],
      ['quotes the parser escapes', 'https://example.com/"x".png'],
      ['braces the parser escapes', 'https://example.com/{x}'],
      ['angle brackets the parser escapes', 'https://example.com/?q=<b>'],
      ['a backtick in the fragment', 'https://example.com/#`x`'],
    ])('anything the WHATWG parser would rewrite: %s', (_case, raw) => {
      expect(problemOf(raw)).toBe(linkProblems.notNormal);
    });

    it.each([
      ['javascript:', 'javascript:alert(1)'],
      ['data:', 'data:image/png;base64,AAAA'],
      ['http:', 'http://example.com/a.png'],
      ['ftp:', 'ftp://example.com/a.png'],
      ['no slashes', 'https:example.com/a.png'],
      ['three slashes', 'https:///example.com/a.png'],
      ['no host', 'https://'],
      ['a relative path', '/a.png'],
      ['a bad port', 'https://example.com:99999/'],
    ])('anything but an https URL: %s', (_case, raw) => {
      expect(problemOf(raw)).toBe(linkProblems.notHttps);
    });
  });

  describe('accept plain https links, returning the normalised href', () => {
    it.each([
      ['a plain link, unchanged', 'https://cdn.example.com/a/photo.jpg', 'https://cdn.example.com/a/photo.jpg'],
      ['upper-case scheme and host, lower-cased', 'HTTPS://Example.COM/A.jpg', 'https://example.com/A.jpg'],
      ['the default port, removed', 'https://example.com:443/a.png', 'https://example.com/a.png'],
      ['an empty path, given "/"', 'https://example.com', 'https://example.com/'],
      ['an empty path before a query', 'https://example.com?x=1', 'https://example.com/?x=1'],
      ['another port, kept', 'https://127.0.0.1:8443/shoe.webp', 'https://127.0.0.1:8443/shoe.webp'],
      ['an IPv6 host', 'https://[::1]:8443/a', 'https://[::1]:8443/a'],
      ['a punycode host, as written', 'https://xn--bcher-kva.example/', 'https://xn--bcher-kva.example/'],
      ['percent-escapes, kept as written', 'https://example.com/caf%C3%A9%20menu.pdf', 'https://example.com/caf%C3%A9%20menu.pdf'],
      ['a percent-encoded newline in a query (not a format character)', 'https://example.com/share?text=a%0Ab', 'https://example.com/share?text=a%0Ab'],
      ['query and fragment', 'https://shop.example/track/1042?lang=en#status', 'https://shop.example/track/1042?lang=en#status'],
      ['an @ in the path', 'https://example.com/@user/post', 'https://example.com/@user/post'],
    ])('%s', (_case, raw, href) => {
      expect(hrefOf(raw)).toBe(href);
    });
  });

  describe('properties', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join('.')}.example`);
    const segment = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
    const path = fc.array(segment, { maxLength: 4 }).map((segments) => `/${segments.join('/')}`);
    const plain = fc.tuple(host, path).map(([h, p]) => `https://${h}${p}`);

    it('accepts every plain https link unchanged, and its href again (idempotent)', () => {
      fc.assert(
        fc.property(plain, (raw) => {
          expect(hrefOf(raw)).toBe(raw);
          expect(hrefOf(hrefOf(raw)!)).toBe(raw);
        }),
      );
    });

    it('refuses a plain link with any control or format character inserted anywhere', () => {
      const hidden = fc.constantFrom('\u202e', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\ufeff', '\u00ad', '\u0000', '\u001b', '\u007f', '\u0085', '\u061c');
      fc.assert(
        fc.property(plain, hidden, fc.nat(), (raw, character, at) => {
          const index = at % (raw.length + 1);
          expect(hrefOf(raw.slice(0, index) + character + raw.slice(index))).toBeUndefined();
        }),
      );
    });

    it('refuses a plain link with userinfo before its host', () => {
      const userinfo = fc.stringMatching(/^[A-Za-z0-9.-]{0,12}(:[A-Za-z0-9.-]{0,12})?$/);
      fc.assert(
        fc.property(plain, userinfo, (raw, info) => {
          expect(problemOf(raw.replace('https://', `https://${info}@`))).toBe(linkProblems.userinfo);
        }),
      );
    });

    it('answers any string with an href the parser keeps as is, or a problem', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ unit: 'binary' })), (raw) => {
          const checked = checkLink(raw);
          if ('href' in checked) {
            expect(new URL(checked.href).href).toBe(checked.href);
            expect(checked.href.startsWith('https://')).toBe(true);
          } else {
            expect(Object.values(linkProblems)).toContain(checked.problem);
          }
        }),
      );
    });
  });

  describe('the fields', () => {
    it('store the normalised href for attachment_url and open_url', () => {
      expect(storeMessageFields.parse({ attachment_url: 'HTTPS://Example.COM:443/a.jpg' }).attachment_url).toBe('https://example.com/a.jpg');
      expect(adminSendFrame.parse({ session_id: 1, content: 'Track it', special_type: 'open_url', special_param: 'HTTPS://Shop.Example' }).special_param).toBe('https://shop.example/');
    });

    it('name the field and the reason', () => {
      const store = storeMessageFields.safeParse({ attachment_url: 'https://user:pass@example.com/a.png' });
      const admin = adminSendFrame.safeParse({ session_id: 1, content: 'x', special_type: 'open_url', special_param: 'https://example.com/\u202egnp.exe' });

      expect(store.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['attachment_url', linkProblems.userinfo]]);
      expect(admin.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['special_param', linkProblems.invisible]]);
    });

    it('keep "" (no attachment) and the 2,048-character limit', () => {
      expect(attachmentUrlField.parse('')).toBe('');
      expect(attachmentUrlField.safeParse(`https://example.com/${'a'.repeat(2048)}`).error?.issues.map((issue) => issue.message)).toEqual(['Must be at most 2048 characters']);
      // Exactly 2,048 characters, but the parser adds "/" for the empty path: the href would be 2,049.
      const bare = `https://${'a'.repeat(2048 - 'https://.example'.length)}.example`;
      expect(bare).toHaveLength(2048);
      expect(attachmentUrlField.safeParse(bare).error?.issues.map((issue) => issue.message)).toEqual(['Must be at most 2048 characters']);
    });
  });
});
