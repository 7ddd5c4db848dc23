import { fileNameOf, normaliseOrigins, safeUrl } from '../../web/src/links';

/** The console's one rule for href and src (issue 15, point 4; README "Admin console"). */
const trusted = normaliseOrigins(['http://127.0.0.1:4569/', 'not a url', 'javascript:alert(1)', 42]);

describe('console links', () => {
  it('keeps only http(s) origins from the configuration, normalised', () => {
    expect(trusted).toEqual(['http://127.0.0.1:4569']);
  });

  it('uses any https URL, normalised', () => {
    expect(safeUrl('HTTPS://Example.COM:443/a.jpg', trusted)).toBe('https://example.com/a.jpg');
  });

  it('uses an http URL only on a trusted origin', () => {
    expect(safeUrl('http://127.0.0.1:4569/bucket/a.png?X-Amz-Signature=1', trusted)).toBe('http://127.0.0.1:4569/bucket/a.png?X-Amz-Signature=1');
    expect(safeUrl('http://127.0.0.1:4570/a.png', trusted)).toBeNull();
    expect(safeUrl('http://evil.example/a.png', trusted)).toBeNull();
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'blob:https://example.com/x',
    '/relative/path.png',
    '//evil.example/a.png',
    'https://user:pass@example.com/',
    'https://example.com@evil.example/login',
    '',
  ])('renders %p as text, never as a link', (url) => {
    expect(safeUrl(url, trusted)).toBeNull();
  });

  it('refuses what is not a string', () => {
    expect(safeUrl(null, trusted)).toBeNull();
    expect(safeUrl(['https://example.com'], trusted)).toBeNull();
  });

  it('names a file by its last path segment, decoded when valid', () => {
    expect(fileNameOf('https://b.s3.amazonaws.com/attachments/admin/1/uuid/caf%C3%A9%20menu.pdf?X-Amz-Signature=abc')).toBe('café menu.pdf');
    expect(fileNameOf('https://example.com/bad%E0%A4%A.pdf')).toBe('bad%E0%A4%A.pdf');
    expect(fileNameOf('https://example.com/')).toBe('file');
  });
});
