import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The README and docs/ are the map of this repo: every relative link must
 * name a file that exists, and every #anchor a heading that exists, so a
 * rename or a reworded heading cannot leave a reader at a dead end.
 */
const root = resolve(__dirname, '../..');
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** Markdown text outside fenced code blocks, where a `](…)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface Link {
  document: string;
  target: string;
}

function relativeLinks(document: string): Link[] {
  const text = prose(readFileSync(join(root, document), 'utf8')).replace(/`[^`\n]*`/g, '');
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(([^()\s]+(?:\([^()\s]*\))?[^()\s]*)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    links.push({ document, target });
  }
  return links;
}

const links = documents.flatMap(relativeLinks);

describe('links in the README and docs/', () => {
  it('are found (the check is not vacuous)', () => {
    expect(links.length).toBeGreaterThan(50);
    expect(links.some((link) => link.target.startsWith('#'))).toBe(true);
  });

  it.each(links.map((link) => [link.document, link.target] as const))('%s → %s resolves', (document, target) => {
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const file = pathPart === '' ? join(root, document) : resolve(dirname(join(root, document)), decodeURI(pathPart));

    expect(relative(root, file).startsWith('..')).toBe(false);
    expect(existsSync(file)).toBe(true);
    if (anchor !== undefined && anchor !== '' && statSync(file).isFile() && file.endsWith('.md')) {
      expect([...headingAnchors(readFileSync(file, 'utf8'))]).toContain(anchor);
    }
  });
});

/** "`name` in [`file`](path)": the docs name a function or constant and the file that holds it. */
const namedCode = documents.flatMap((document) =>
  [...prose(readFileSync(join(root, document), 'utf8')).matchAll(/`([A-Za-z_$][\w$]*)` in \[[^\]]*\]\(([^)#\s]+\.ts)\)/g)].map(
    (match) => [document, match[1]!, match[2]!] as const,
  ),
);

describe('code named in the docs', () => {
  it('is found (the check is not vacuous)', () => {
    expect(namedCode.length).toBeGreaterThan(10);
  });

  it.each(namedCode)('%s: `%s` is defined in %s', (document, name, path) => {
    const source = readFileSync(resolve(dirname(join(root, document)), path), 'utf8');

    expect(source).toMatch(new RegExp(`(function|const|class|let|interface|type)\\s+${name.replace(/\$/g, '\\$')}\\b`));
  });
});

describe('heading anchors', () => {
  it('follow GitHub: punctuation dropped, spaces to dashes, repeats numbered', () => {
    const anchors = headingAnchors('# Upload Attachment (Store and Admin)\n## Ops CLI: stores, admins and tokens\n## `npm start`\n## Notes\n## Notes\n');

    expect([...anchors]).toEqual(['upload-attachment-store-and-admin', 'ops-cli-stores-admins-and-tokens', 'npm-start', 'notes', 'notes-1']);
  });
});
