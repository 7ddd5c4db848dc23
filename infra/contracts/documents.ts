import { join } from 'node:path';
import { asyncApiDocument } from './asyncapi';
import { documentText } from './json-schema';
import { openApiDocument } from './openapi';

/** The repository root: contracts are written to, and compared with, docs/ there. */
const root = join(__dirname, '..', '..');

/** Each contract file: where it lives and what it must contain. */
export function contractFiles(): { path: string; document: unknown; text: string }[] {
  return [
    { path: join(root, 'docs', 'openapi.json'), document: openApiDocument() },
    { path: join(root, 'docs', 'asyncapi.json'), document: asyncApiDocument() },
  ].map((file) => ({ ...file, text: documentText(file.document) }));
}
