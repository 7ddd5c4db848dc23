/** Small real files, byte for byte, for upload tests. */

/** A valid 1×1 PNG. */
export const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/** A JPEG's first bytes (SOI, APP0 JFIF) and filler: enough for detection. */
export const jpeg = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(200, 0x11), Buffer.from('ffd9', 'hex')]);

export const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

export const csv = Buffer.from('order,status\n1042,refunded\n1043,shipped\n');

export const html = Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>');
