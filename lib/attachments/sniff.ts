/**
 * Content sniffing: what a file's first bytes say it is. A declared type or a
 * file name is a claim; the bytes are evidence. Pure and dependency-free so
 * every path that handles uploads can share it.
 *
 * Dangerous types (HTML, SVG, XML, executables, scripts) are detected and
 * reported by name so callers can refuse them, rather than returning undefined.
 */

/** Only this much of the head is looked at; callers read at most this much. */
const headLength = 4096;

const zipType = 'application/zip';
const oleType = 'application/x-ole-storage';
const svgType = 'image/svg+xml';
const htmlType = 'text/html';
const machType = 'application/x-mach-binary';

/** Fixed magic numbers at offset 0, written as byte strings ('\xff' is byte 0xFF). */
const signatures: readonly (readonly [magic: string, type: string])[] = [
  ['\xff\xd8\xff', 'image/jpeg'],
  ['\x89PNG\r\n\x1a\n', 'image/png'],
  ['GIF87a', 'image/gif'],
  ['GIF89a', 'image/gif'],
  ['%PDF-', 'application/pdf'],
  ['\x1a\x45\xdf\xa3', 'video/webm'],
  ['OggS', 'audio/ogg'],
  ['ID3', 'audio/mpeg'],
  ['\x7fELF', 'application/x-elf'],
  ['\xfe\xed\xfa\xce', machType],
  ['\xfe\xed\xfa\xcf', machType],
  ['\xce\xfa\xed\xfe', machType],
  ['\xcf\xfa\xed\xfe', machType],
  ['MZ', 'application/x-msdownload'],
  ['#!', 'text/x-shellscript'],
];

/** ZIP and OLE2 are generic containers: the extension picks the office format they hold. */
const containers: readonly (readonly [magic: string, byExtension: ReadonlyMap<string, string>, fallback: string])[] = [
  [
    'PK\x03\x04',
    new Map([
      ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ]),
    zipType,
  ],
  [
    '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1',
    new Map([
      ['doc', 'application/msword'],
      ['xls', 'application/vnd.ms-excel'],
      ['ppt', 'application/vnd.ms-powerpoint'],
    ]),
    oleType,
  ],
];

/** RIFF form type at bytes 8..12. */
const riffForms = new Map([
  ['WEBP', 'image/webp'],
  ['WAVE', 'audio/wav'],
]);

/** ISO-BMFF brands (major, then compatible) and the type each implies. */
const ftypBrands = new Map([
  ...['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1'].map((brand) => [brand, 'image/heic'] as const),
  // AVIF files also list mif1; naming them here keeps them from passing as HEIC.
  ['avif', 'image/avif'],
  ['avis', 'image/avif'],
  ['M4A ', 'audio/mp4'],
  ['qt  ', 'video/quicktime'],
  ...['isom', 'iso2', 'iso5', 'mp41', 'mp42', 'avc1', 'dash', 'M4V '].map((brand) => [brand, 'video/mp4'] as const),
]);

/** Root elements a browser's sniffer treats as HTML (WHATWG MIME Sniffing, "HTML" patterns). */
const htmlRoots = new Set([
  'html', 'head', 'body', 'script', 'iframe', 'style', 'title', 'table', 'div', 'font', 'h1', 'a', 'b', 'br', 'p',
]);

const typeAliases = new Map([
  ['image/jpg', 'image/jpeg'],
  ['image/pjpeg', 'image/jpeg'],
  ['audio/mp3', 'audio/mpeg'],
  ['audio/mpeg3', 'audio/mpeg'],
  ['audio/x-wav', 'audio/wav'],
  ['audio/wave', 'audio/wav'],
  ['audio/vnd.wave', 'audio/wav'],
  ['audio/m4a', 'audio/mp4'],
  ['audio/x-m4a', 'audio/mp4'],
  ['image/heif', 'image/heic'],
  ['application/x-pdf', 'application/pdf'],
  ['text/comma-separated-values', 'text/csv'],
]);

/** Declared types that are a legitimate reading of bytes detected as something broader or sibling. */
const agreeingReadings = new Set(
  [
    ['text/csv', 'text/plain'],
    ['text/plain', 'text/csv'],
    ['video/mp4', 'audio/mp4'],
    ['audio/mp4', 'video/mp4'],
    ...containers.flatMap(([, byExtension, fallback]) => [...byExtension.values()].map((type) => [type, fallback])),
  ].map(([declared, detected]) => `${declared} ${detected}`),
);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The MIME type the bytes say, given up to the first 4096 bytes of a file.
 * `fileName` only picks between readings of the same bytes (ZIP/OLE2 office
 * formats, CSV vs plain text); it never overrides what the bytes say.
 */
export function detectType(head: Uint8Array, fileName?: string): string | undefined {
  const bytes = head.subarray(0, headLength);
  if (bytes.length === 0) return undefined;
  const extension = extensionOf(fileName);
  return (
    signatures.find(([magic]) => startsWith(bytes, magic))?.[1] ??
    fromContainer(bytes, extension) ??
    fromFtyp(bytes) ??
    fromMpegFrame(bytes) ??
    fromMarkup(bytes) ??
    fromText(bytes, extension)
  );
}

/** Lower-cased essence of a MIME type (no parameters), with common aliases mapped to one name. */
export function normalizeType(type: string): string {
  const essence = (type.split(';', 1)[0] ?? '').trim().toLowerCase();
  return typeAliases.get(essence) ?? essence;
}

/** Whether a declared type is an honest description of bytes detected as `detected`. */
export function typesAgree(declared: string, detected: string): boolean {
  const claimed = normalizeType(declared);
  const found = normalizeType(detected);
  if (claimed === '') return false;
  return claimed === found || agreeingReadings.has(`${claimed} ${found}`);
}

function fromContainer(bytes: Uint8Array, extension: string): string | undefined {
  for (const [magic, byExtension, fallback] of containers) {
    if (startsWith(bytes, magic)) return byExtension.get(extension) ?? fallback;
  }
  if (startsWith(bytes, 'RIFF')) return riffForms.get(latin1(bytes, 8, 12));
  return undefined;
}

/** ISO base media (MP4, MOV, M4A, HEIC): the ftyp box names brands; the first one we know decides. */
function fromFtyp(bytes: Uint8Array): string | undefined {
  if (latin1(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxEnd = Math.min(bytes.length, new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
  const brands = [latin1(bytes, 8, 12)];
  // Bytes 12..16 are the minor version; compatible brands follow to the end of the box.
  for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(latin1(bytes, at, at + 4));
  for (const brand of brands) {
    const type = ftypBrands.get(brand);
    if (type !== undefined) return type;
  }
  return undefined;
}

/** A bare MPEG audio frame header (MP3 without an ID3 tag). */
function fromMpegFrame(bytes: Uint8Array): string | undefined {
  const [first, second = 0, third] = bytes;
  if (first !== 0xff || (second & 0xe0) !== 0xe0 || third === undefined) return undefined;
  const version = (second >> 3) & 0b11; // 0b01 is reserved
  const layer = (second >> 1) & 0b11; // 0b01 = III, 0b10 = II; 0b11 (I) is left out: FF FE is the UTF-16LE BOM
  const bitrate = third >> 4; // 0b1111 is invalid
  const sampleRate = (third >> 2) & 0b11; // 0b11 is reserved
  const valid = version !== 0b01 && (layer === 0b01 || layer === 0b10) && bitrate !== 0b1111 && sampleRate !== 0b11;
  return valid ? 'audio/mpeg' : undefined;
}

/**
 * HTML, SVG and XML: skip a BOM, whitespace and the prolog (XML declaration,
 * processing instructions, comments, doctype), then judge by the root element.
 */
function fromMarkup(bytes: Uint8Array): string | undefined {
  const text = latin1(bytes, startsWith(bytes, '\xef\xbb\xbf') ? 3 : 0, bytes.length);
  let at = skipSpace(text, 0);
  if (text[at] !== '<') return undefined;
  const isXml = text.startsWith('<?xml', at);
  for (;;) {
    if (text.startsWith('<?', at)) at = after(text, '?>', at);
    else if (text.startsWith('<!--', at)) at = after(text, '-->', at);
    else if (/^<!doctype[\t\n\f\r ]/i.test(text.slice(at, at + 10))) {
      const name = /^<!doctype[\t\n\f\r ]+([^\t\n\f\r >[]*)/i.exec(text.slice(at, at + 64))?.[1]?.toLowerCase();
      if (name === 'html') return htmlType;
      if (name === 'svg') return svgType;
      at = afterDoctype(text, at);
    } else break;
    if (at < 0) break; // the prolog runs past the head
    at = skipSpace(text, at);
  }
  const root = at < 0 ? undefined : rootElement(text, at);
  if (root === 'svg') return svgType;
  if (root === 'html' || (!isXml && root !== undefined && htmlRoots.has(root))) return htmlType;
  return isXml ? 'application/xml' : undefined;
}

/** Plain text: no binary control bytes and valid UTF-8 (the head may end mid-character). */
function fromText(bytes: Uint8Array, extension: string): string | undefined {
  if (bytes.some(isBinaryByte)) return undefined;
  try {
    utf8.decode(withoutTruncatedTail(bytes));
  } catch {
    return undefined;
  }
  return extension === 'csv' ? 'text/csv' : 'text/plain';
}

/** Control bytes that never occur in text (WHATWG "binary data byte"); tab, LF, FF, CR and ESC are allowed. */
function isBinaryByte(byte: number): boolean {
  return byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f);
}

/** Drops a multi-byte UTF-8 sequence cut off by the end of the head, so a prefix of valid text stays valid. */
function withoutTruncatedTail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep walking back to the lead byte
    const length = byte >= 0xf8 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

function rootElement(text: string, at: number): string | undefined {
  // Optional namespace prefix (<svg:svg>); the name must end at whitespace, '/', '>' or the end of the head.
  const match = /<(?:[a-z_][\w.-]*:)?([a-z_][\w.-]*)(?=[\t\n\f\r />]|$)/iy;
  match.lastIndex = at;
  return match.exec(text)?.[1]?.toLowerCase();
}

/** Index after the doctype's closing '>', skipping an internal subset in [...]. */
function afterDoctype(text: string, at: number): number {
  const close = text.indexOf('>', at);
  const subset = text.indexOf('[', at);
  if (subset < 0 || (close >= 0 && close < subset)) return close < 0 ? -1 : close + 1;
  const subsetEnd = after(text, ']', subset);
  return subsetEnd < 0 ? -1 : after(text, '>', subsetEnd);
}

/** Index just past the next `token` from `at`, or -1 when the head ends first. */
function after(text: string, token: string, at: number): number {
  const found = text.indexOf(token, at);
  return found < 0 ? -1 : found + token.length;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && '\t\n\f\r '.includes(text[at] ?? '')) at++;
  return at;
}

function startsWith(bytes: Uint8Array, magic: string): boolean {
  return magic.length <= bytes.length && [...magic].every((char, index) => bytes[index] === char.charCodeAt(0));
}

/** Bytes as one char per byte, so ASCII markers compare directly and offsets stay byte offsets. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

function extensionOf(fileName: string | undefined): string {
  const name = (fileName ?? '').trim();
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}
