/** Markdown output: tables and goal marks. */

export type Cell = string | number;

export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]) => `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** ✓ or ✗: every goal in the report is shown with one of these. */
export const mark = (ok: boolean): string => (ok ? '✓' : '✗');

/** A markdown section: heading, then paragraphs/tables separated by blank lines. */
export function section(heading: string, ...blocks: readonly string[]): string {
  return [heading, ...blocks.filter((block) => block.length > 0)].join('\n\n');
}

export const bullets = (items: readonly string[]): string => items.map((item) => `- ${item}`).join('\n');
