/**
 * The one rule for links a sender gives us (`attachment_url`, an `open_url`
 * action's `special_param`): an https URL that reads the same to a person as
 * it does to a browser. See README "Links" for the exact rule.
 *
 * A link is refused when it carries a user name or password (the classic
 * `https://shop.example.com@evil.example/` shape), white space, control or
 * format characters (bidi overrides such as U+202E turn `…/\u202Egnp.exe` into
 * what displays as `…/exe.png`; zero-width characters), also when
 * percent-encoded format characters would do the same once a client decodes
 * them, a backslash (which the WHATWG parser reads as "/"), any non-ASCII
 * character (IDN hosts and raw Unicode are rewritten to punycode and
 * percent-escapes), or anything else the WHATWG URL parser would rewrite:
 * dot segments, numeric hosts such as `0x7f.1`, percent-encoded host
 * characters, quotes and braces it would escape.
 *
 * The parser's harmless normalisations are accepted, and the normalised href
 * is what gets stored and returned: a lower-case scheme and host, no default
 * port (:443), and "/" for an empty path.
 */

export type LinkCheck = { href: string } | { problem: string };

export const linkProblems = {
  notHttps: 'Must be an https URL',
  whiteSpace: 'Must not contain white space',
  invisible: 'Must not contain control, bidirectional or invisible characters',
  backslash: 'Must not contain a backslash',
  nonAscii: 'Must contain only ASCII characters: percent-encode the others, and write an international domain in its xn-- form',
  userinfo: 'Must not contain a user name or password',
  notNormal: 'Must be written in normal form: the URL parser would rewrite it',
} as const;

const whiteSpace = /[\t\n\v\f\r \p{Z}]/u;
/** Cc (controls, C1 included) and Cf (bidi marks and overrides, zero-width characters, BOM, soft hyphen...). */
const invisible = /[\p{Cc}\p{Cf}]/u;
const nonAscii = /[^\x21-\x7e]/;
/** scheme "://" authority rest, with the authority ending at the first / ? or # (backslashes are refused before). */
const shape = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

/** Format characters hidden behind percent-escapes: a client that decodes them for display shows the trick. */
function hidesFormatCharacters(raw: string): boolean {
  for (const run of raw.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? []) {
    const bytes = Uint8Array.from(run.slice(1).split('%'), (hex) => parseInt(hex, 16));
    if (/\p{Cf}/u.test(new TextDecoder('utf-8').decode(bytes))) return true;
  }
  return false;
}

/** The href of an acceptable https link, or why it is refused. Pure. */
export function checkLink(raw: string): LinkCheck {
  if (whiteSpace.test(raw)) return { problem: linkProblems.whiteSpace };
  if (invisible.test(raw)) return { problem: linkProblems.invisible };
  if (raw.includes('\\')) return { problem: linkProblems.backslash };
  if (nonAscii.test(raw)) return { problem: linkProblems.nonAscii };
  const parts = shape.exec(raw);
  if (!parts || parts[1]!.toLowerCase() !== 'https') return { problem: linkProblems.notHttps };
  const [, , authority = '', rest = ''] = parts;
  if (authority === '') return { problem: linkProblems.notHttps };
  if (authority.includes('@')) return { problem: linkProblems.userinfo };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: linkProblems.notHttps };
  }
  if (url.protocol !== 'https:' || url.hostname === '') return { problem: linkProblems.notHttps };
  if (url.username !== '' || url.password !== '') return { problem: linkProblems.userinfo };
  if (hidesFormatCharacters(raw)) return { problem: linkProblems.invisible };
  // What the parser may change, and nothing else: scheme and host case, the default port, an empty path.
  const port = /:(\d*)$/.exec(authority);
  const host = (port ? authority.slice(0, port.index) : authority).toLowerCase();
  const keptPort = port && port[1] !== '' && port[1] !== '443' ? `:${port[1]}` : '';
  const path = rest === '' || rest.startsWith('?') || rest.startsWith('#') ? `/${rest}` : rest;
  if (url.href !== `https://${host}${keptPort}${path}`) return { problem: linkProblems.notNormal };
  return { href: url.href };
}
