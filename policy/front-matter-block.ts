/**
 * Finding the front-matter block of a CLAUDE.md, without the YAML parser: hooks ask "is this a policy
 * file?" on their hot path, and loading `yaml` costs more than the rest of their start-up.
 */

const OPEN_LINE = /^\uFEFF?---[ \t]*\r?$/;
const CLOSE_LINE = /^(?:---|\.\.\.)[ \t]*\r?$/;

export interface FrontMatterBlock {
  /** The YAML between the markers, line endings as written. */
  yaml: string;
  /** 1-based line of the file where the YAML starts (the line after the opening `---`). */
  firstLine: number;
  /** 1-based line of the closing `---` or `...`; null when the block is never closed. */
  closeLine: number | null;
}

/** The front-matter block of a CLAUDE.md text, or null when the text does not start with `---`. */
export function findFrontMatter(text: string): FrontMatterBlock | null {
  const lines = text.split('\n');
  if (!OPEN_LINE.test(lines[0])) return null;
  for (let index = 1; index < lines.length; index++) {
    if (CLOSE_LINE.test(lines[index])) {
      const body = lines.slice(1, index);
      return { yaml: body.length > 0 ? `${body.join('\n')}\n` : '', firstLine: 2, closeLine: index + 1 };
    }
  }
  return { yaml: lines.slice(1).join('\n'), firstLine: 2, closeLine: null };
}

/** Whether a CLAUDE.md text has front-matter, i.e. is a policy file (even when the block is broken). */
export function hasFrontMatter(text: string): boolean {
  return findFrontMatter(text) !== null;
}
