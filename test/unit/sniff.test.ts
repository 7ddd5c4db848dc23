import { detectType, normalizeType, typesAgree } from '../../lib/attachments/sniff';

const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const pptx = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** Raw byte values. */
function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** One byte per char, so '\x89' is byte 0x89. */
function ascii(text: string): Uint8Array {
  return Uint8Array.from([...text].map((char) => char.charCodeAt(0)));
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** An ISO-BMFF ftyp box (size, 'ftyp', major brand, minor version, compatible brands) and the start of the next box. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  return concat(bytes(0, 0, 0, size), ascii(`ftyp${major}`), bytes(0, 0, 2, 0), ascii(compatible.join('')), bytes(0, 0, 0, 8), ascii('mdat'));
}

const zipHead = concat(ascii('PK\x03\x04'), bytes(0x14, 0, 0x06, 0, 0x08, 0), ascii('[Content_Types].xml'));
const oleHead = concat(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), new Uint8Array(16), bytes(0x3e, 0, 0x03, 0, 0xfe, 0xff));
const pngHead = concat(ascii('\x89PNG\r\n\x1a\n'), bytes(0, 0, 0, 0x0d), ascii('IHDR'), bytes(0, 0, 1, 0, 0, 0, 1, 0, 8, 6));
const jpegHead = concat(bytes(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10), ascii('JFIF\0'), bytes(1, 1, 0, 0, 0x48));
const pdfHead = ascii('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n');

describe('detectType: binary formats', () => {
  it.each([
    ['JPEG (JFIF)', jpegHead, 'image/jpeg'],
    ['JPEG (Exif)', concat(bytes(0xff, 0xd8, 0xff, 0xe1, 0x2a, 0x1c), ascii('Exif\0\0MM')), 'image/jpeg'],
    ['PNG', pngHead, 'image/png'],
    ['GIF87a', concat(ascii('GIF87a'), bytes(0x40, 0x01, 0xf0, 0x00, 0xf7)), 'image/gif'],
    ['GIF89a', concat(ascii('GIF89a'), bytes(0x01, 0x00, 0x01, 0x00, 0x80)), 'image/gif'],
    ['WebP', concat(ascii('RIFF'), bytes(0x24, 0x1a, 0, 0), ascii('WEBPVP8 '), bytes(0x18, 0x1a, 0, 0)), 'image/webp'],
    ['WAV', concat(ascii('RIFF'), bytes(0x24, 0x08, 0, 0), ascii('WAVEfmt '), bytes(0x10, 0, 0, 0, 1, 0, 2, 0)), 'audio/wav'],
    ['PDF', pdfHead, 'application/pdf'],
    ['WebM', concat(bytes(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84), ascii('webm')), 'video/webm'],
    ['Ogg', concat(ascii('OggS'), bytes(0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0), ascii('\x01vorbis')), 'audio/ogg'],
    ['MP3 with an ID3v2 tag', concat(ascii('ID3'), bytes(0x04, 0, 0, 0, 0, 0x23, 0x76), ascii('TSSE')), 'audio/mpeg'],
    ['MP3 frame, MPEG-1 Layer III', bytes(0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0), 'audio/mpeg'],
    ['MP3 frame, MPEG-2 Layer III with CRC', bytes(0xff, 0xf2, 0x48, 0xc4, 0, 0), 'audio/mpeg'],
    ['MP2 frame, MPEG-1 Layer II', bytes(0xff, 0xfd, 0x94, 0x04, 0, 0), 'audio/mpeg'],
  ])('detects %s', (_name, head, expected) => {
    expect(detectType(head)).toBe(expected);
  });

  it.each([
    ['a reserved MPEG version', bytes(0xff, 0xeb, 0x90, 0x64)],
    ['a reserved layer', bytes(0xff, 0xf9, 0x90, 0x64)],
    ['an invalid bitrate index', bytes(0xff, 0xfb, 0xf0, 0x64)],
    ['a reserved sample rate', bytes(0xff, 0xfb, 0x9c, 0x64)],
    ['a UTF-16LE byte order mark (which looks like a Layer I frame)', concat(bytes(0xff, 0xfe), ascii('h\0i\0'))],
  ])('does not mistake a frame sync with %s for MP3', (_name, head) => {
    expect(detectType(head)).toBeUndefined();
  });
});

describe('detectType: ISO base media (ftyp) brands', () => {
  it.each([
    ['heic', ftyp('heic', 'mif1', 'heic'), 'image/heic'],
    ['heix', ftyp('heix', 'mif1', 'heix'), 'image/heic'],
    ['hevc', ftyp('hevc', 'msf1', 'hevc'), 'image/heic'],
    ['hevx', ftyp('hevx', 'msf1', 'hevx'), 'image/heic'],
    ['mif1', ftyp('mif1', 'mif1', 'heic'), 'image/heic'],
    ['msf1', ftyp('msf1', 'msf1', 'hevc'), 'image/heic'],
    ['M4A ', ftyp('M4A ', 'M4A ', 'mp42', 'isom'), 'audio/mp4'],
    ['qt  ', ftyp('qt  ', 'qt  '), 'video/quicktime'],
    ['isom', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'video/mp4'],
    ['iso2', ftyp('iso2', 'iso2'), 'video/mp4'],
    ['iso5', ftyp('iso5', 'iso5', 'dash'), 'video/mp4'],
    ['mp41', ftyp('mp41', 'mp41'), 'video/mp4'],
    ['mp42', ftyp('mp42', 'mp42', 'isom'), 'video/mp4'],
    ['avc1', ftyp('avc1', 'avc1'), 'video/mp4'],
    ['dash', ftyp('dash', 'iso6'), 'video/mp4'],
    ['M4V ', ftyp('M4V ', 'M4V ', 'M4A ', 'mp42'), 'video/mp4'],
  ])('maps major brand %j', (_brand, head, expected) => {
    expect(detectType(head)).toBe(expected);
  });

  it('falls back to the first known compatible brand when the major brand is unknown', () => {
    const head = ftyp('XAVC', 'XAVC', 'mp42', 'iso2');

    expect(detectType(head)).toBe('video/mp4');
  });

  it('reads only the compatible brands inside the ftyp box', () => {
    // The next box's type ('mdat') and the brand-like bytes after it are not brands.
    const head = concat(ftyp('3gp5', '3gp5'), ascii('isom'));

    expect(detectType(head)).toBeUndefined();
  });

  it('keeps AVIF from passing as HEIC even though it lists mif1', () => {
    expect(detectType(ftyp('avif', 'avif', 'mif1', 'miaf'))).toBe('image/avif');
  });
});

describe('detectType: containers disambiguated by extension', () => {
  it.each([
    ['Report.docx', docx],
    ['BUDGET.XLSX', xlsx],
    ['deck.pptx', pptx],
    ['archive.zip', 'application/zip'],
    ['notes.txt', 'application/zip'],
    [undefined, 'application/zip'],
  ])('reads a ZIP named %j as %s', (fileName, expected) => {
    expect(detectType(zipHead, fileName)).toBe(expected);
  });

  it.each([
    ['letter.doc', 'application/msword'],
    ['Q3.XLS', 'application/vnd.ms-excel'],
    ['talk.ppt', 'application/vnd.ms-powerpoint'],
    ['mail.msg', 'application/x-ole-storage'],
    [undefined, 'application/x-ole-storage'],
  ])('reads an OLE2 compound file named %j as %s', (fileName, expected) => {
    expect(detectType(oleHead, fileName)).toBe(expected);
  });

  it.each([
    ['a PNG named report.pdf', pngHead, 'report.pdf', 'image/png'],
    ['a JPEG named letter.docx', jpegHead, 'letter.docx', 'image/jpeg'],
    ['a PDF named data.csv', pdfHead, 'data.csv', 'application/pdf'],
    ['a ZIP named sheet.csv', zipHead, 'sheet.csv', 'application/zip'],
    ['an OLE2 file named budget.xlsx', oleHead, 'budget.xlsx', 'application/x-ole-storage'],
    ['plain text named slides.pptx', utf8('just some notes\n'), 'slides.pptx', 'text/plain'],
    ['HTML named page.txt', utf8('<!DOCTYPE html><html></html>'), 'page.txt', 'text/html'],
    ['unknown binary named report.docx', bytes(0x00, 0x01, 0x02, 0x03, 0x04), 'report.docx', undefined],
  ])('never lets the extension win over the bytes: %s', (_name, head, fileName, expected) => {
    expect(detectType(head, fileName)).toBe(expected);
  });
});

describe('detectType: dangerous types are reported by name', () => {
  it.each([
    ['an HTML doctype', utf8('<!DOCTYPE html>\n<html><head><title>x</title>'), 'text/html'],
    ['an HTML doctype alone', utf8('<!doctype HTML>'), 'text/html'],
    ['an upper-case <HTML> root', utf8('<HTML lang="en"><BODY>hi</BODY></HTML>'), 'text/html'],
    ['HTML after a UTF-8 BOM and whitespace', concat(bytes(0xef, 0xbb, 0xbf), utf8(' \r\n\t<!doctype html><p>x')), 'text/html'],
    ['HTML after a leading comment', utf8('<!-- saved from url=(0014)about:internet -->\n<html>'), 'text/html'],
    ['a bare <script> document', utf8('<script>alert(1)</script>'), 'text/html'],
    ['XHTML with an XML declaration', utf8('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'), 'text/html'],
    ['a bare SVG', utf8('<svg xmlns="http://www.w3.org/2000/svg" width="10"/>'), 'image/svg+xml'],
    [
      'SVG after an XML declaration and a comment',
      utf8('<?xml version="1.0" encoding="UTF-8"?>\n<!-- Generator: Adobe Illustrator -->\n<svg version="1.1">'),
      'image/svg+xml',
    ],
    [
      'SVG with a doctype and an internal subset',
      utf8('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd" [\n<!ENTITY a "b">\n]>\n<svg>'),
      'image/svg+xml',
    ],
    ['a namespace-prefixed SVG root', utf8('<?xml version="1.0"?><svg:svg xmlns:svg="http://www.w3.org/2000/svg">'), 'image/svg+xml'],
    ['other XML', utf8('<?xml version="1.0" encoding="UTF-8"?>\n<invoice><total>3</total></invoice>'), 'application/xml'],
    ['a Windows executable', concat(ascii('MZ'), bytes(0x90, 0, 0x03, 0, 0, 0, 0x04, 0, 0, 0, 0xff, 0xff)), 'application/x-msdownload'],
    ['an ELF binary', concat(ascii('\x7fELF'), bytes(0x02, 0x01, 0x01, 0, 0, 0, 0, 0)), 'application/x-elf'],
    ['a 32-bit big-endian Mach-O', bytes(0xfe, 0xed, 0xfa, 0xce, 0, 0, 0, 0x12), 'application/x-mach-binary'],
    ['a 64-bit big-endian Mach-O', bytes(0xfe, 0xed, 0xfa, 0xcf, 0x01, 0, 0, 0x07), 'application/x-mach-binary'],
    ['a 32-bit little-endian Mach-O', bytes(0xce, 0xfa, 0xed, 0xfe, 0x07, 0, 0, 0), 'application/x-mach-binary'],
    ['a 64-bit little-endian Mach-O', bytes(0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0, 0, 0x01), 'application/x-mach-binary'],
    ['a shell script', utf8('#!/bin/sh\nrm -rf "$HOME"\n'), 'text/x-shellscript'],
  ])('detects %s', (_name, head, expected) => {
    expect(detectType(head)).toBe(expected);
  });
});

describe('detectType: text', () => {
  const emoji = utf8('ok 👍');

  it.each([
    ['ASCII text', utf8('Order #1234 arrived damaged.\r\n'), undefined, 'text/plain'],
    ['text named .csv', utf8('sku,qty\nA-1,3\n'), 'orders.csv', 'text/csv'],
    ['text named .CSV (case-insensitive)', utf8('sku,qty\n'), 'ORDERS.CSV', 'text/csv'],
    ['multi-byte UTF-8 with emoji', utf8('Grüße aus Köln — 東京 🎉👍'), undefined, 'text/plain'],
    ['text after a UTF-8 BOM', concat(bytes(0xef, 0xbb, 0xbf), utf8('hello')), undefined, 'text/plain'],
    ['text whose head cuts a 4-byte character after 1 byte', emoji.subarray(0, emoji.length - 3), undefined, 'text/plain'],
    ['text whose head cuts a 4-byte character after 3 bytes', emoji.subarray(0, emoji.length - 1), undefined, 'text/plain'],
    ['text starting with "<" that is not markup', utf8('<3 thanks for the help'), undefined, 'text/plain'],
    ['whitespace only', utf8(' \n'), undefined, 'text/plain'],
  ])('reads %s as text', (_name, head, fileName, expected) => {
    expect(detectType(head, fileName)).toBe(expected);
  });

  it.each([
    ['a NUL byte', concat(utf8('abc'), bytes(0), utf8('def'))],
    ['a binary control byte', concat(utf8('abc'), bytes(0x01), utf8('def'))],
    ['a Latin-1 byte that is not UTF-8', ascii('caf\xe9 au lait')],
    ['a truncated sequence in the middle', concat(utf8('ab'), bytes(0xe2, 0x82), utf8('cd'))],
    ['a stray continuation byte', concat(utf8('ab'), bytes(0x80), utf8('cd'))],
    ['UTF-16LE text', concat(bytes(0xff, 0xfe), ascii('h\0i\0'))],
  ])('does not read bytes with %s as text', (_name, head) => {
    expect(detectType(head)).toBeUndefined();
  });

  it('looks only at the first 4096 bytes', () => {
    const head = concat(utf8('a'.repeat(4096)), bytes(0));

    expect(detectType(head)).toBe('text/plain');
  });

  it('treats a character cut by the 4096-byte limit as truncated, not invalid', () => {
    const head = concat(utf8('a'.repeat(4095)), utf8('€'));

    expect(detectType(head)).toBe('text/plain');
  });
});

describe('detectType: nothing to go on', () => {
  it('returns undefined for an empty head', () => {
    expect(detectType(new Uint8Array(0))).toBeUndefined();
    expect(detectType(new Uint8Array(0), 'report.pdf')).toBeUndefined();
  });

  it('returns undefined for unrecognised binary', () => {
    expect(detectType(bytes(0x00, 0x00, 0x01, 0xba, 0x44, 0x00))).toBeUndefined();
  });

  it('detects from a view into a larger buffer', () => {
    const buffer = concat(bytes(0xaa, 0xbb), ftyp('qt  ', 'qt  '));

    expect(detectType(buffer.subarray(2))).toBe('video/quicktime');
  });
});

describe('normalizeType', () => {
  it.each([
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
  ])('maps the alias %s to %s', (alias, expected) => {
    expect(normalizeType(alias)).toBe(expected);
  });

  it.each([
    [' Image/PNG ', 'image/png'],
    ['text/plain; charset=UTF-8', 'text/plain'],
    ['TEXT/CSV;header=present', 'text/csv'],
    ['Image/JPG; q=0.9', 'image/jpeg'],
    ['application/x-custom', 'application/x-custom'],
  ])('lower-cases, trims and drops parameters: %j → %s', (type, expected) => {
    expect(normalizeType(type)).toBe(expected);
  });
});

describe('typesAgree', () => {
  it.each([
    ['image/png', 'image/png'],
    ['image/jpg', 'image/jpeg'],
    ['Text/Plain; charset=utf-8', 'text/plain'],
    ['text/csv', 'text/plain'],
    ['text/plain', 'text/csv'],
    ['text/comma-separated-values', 'text/plain'],
    [docx, 'application/zip'],
    [xlsx, 'application/zip'],
    [pptx, 'application/zip'],
    ['application/msword', 'application/x-ole-storage'],
    ['application/vnd.ms-excel', 'application/x-ole-storage'],
    ['application/vnd.ms-powerpoint', 'application/x-ole-storage'],
    ['video/mp4', 'audio/mp4'],
    ['audio/mp4', 'video/mp4'],
    ['audio/x-m4a', 'video/mp4'],
    ['image/heif', 'image/heic'],
  ])('accepts declared %s for detected %s', (declared, detected) => {
    expect(typesAgree(declared, detected)).toBe(true);
  });

  it.each([
    ['image/png', 'image/jpeg'],
    ['application/pdf', 'text/html'],
    ['text/plain', 'text/html'],
    ['image/png', 'image/svg+xml'],
    ['text/plain', 'text/x-shellscript'],
    ['application/pdf', 'application/x-msdownload'],
    ['application/zip', docx],
    [docx, xlsx],
    ['application/msword', 'application/zip'],
    [docx, 'application/x-ole-storage'],
    ['application/x-ole-storage', 'application/msword'],
    ['video/quicktime', 'video/mp4'],
    ['image/heic', 'image/avif'],
    ['text/csv', 'application/zip'],
    ['', 'text/plain'],
  ])('rejects declared %j for detected %s', (declared, detected) => {
    expect(typesAgree(declared, detected)).toBe(false);
  });
});
