import { findFrontMatter, hasFrontMatter, parseFrontMatter } from '../../policy/frontmatter';
import type { FrontMatter } from '../../policy/frontmatter';
import { formatProblems } from '../../policy/problems';
import type { ParsedNode } from 'yaml';
import { isMap } from 'yaml';

function parse(text: string, path = 'fw/CLAUDE.md'): FrontMatter {
  const fm = parseFrontMatter({ path, text });
  if (!fm) throw new Error('expected front-matter');
  return fm;
}

/** Position of the value of a top-level key, as the validation rules would report it. */
function keyPos(fm: FrontMatter, key: string): string {
  const contents = fm.doc?.contents;
  if (!isMap(contents)) throw new Error('not a map');
  const pair = contents.items.find((item) => (item.key as { value?: unknown }).value === key);
  const pos = fm.pos(pair?.key as ParsedNode);
  return `${pos.file}:${pos.line}:${pos.col}`;
}

describe('findFrontMatter', () => {
  it('finds nothing when the file does not start with ---', () => {
    expect(findFrontMatter('# Team fw\n---\nteam: fw\n---\n')).toBeNull();
    expect(findFrontMatter('\n---\nteam: fw\n---\n')).toBeNull();
    expect(findFrontMatter('--- not a marker\nteam: fw\n---\n')).toBeNull();
    expect(findFrontMatter('')).toBeNull();
    expect(hasFrontMatter('# just markdown\n')).toBe(false);
  });

  it('returns the YAML between the markers and where it starts', () => {
    expect(findFrontMatter('---\nteam: fw\n---\n# Body\n')).toEqual({ yaml: 'team: fw\n', firstLine: 2, closeLine: 3 });
    expect(hasFrontMatter('---\nteam: fw\n---\n')).toBe(true);
  });

  it('accepts ... as the closing line, a UTF-8 BOM and CRLF line endings', () => {
    expect(findFrontMatter('---\nteam: fw\n...\n')?.closeLine).toBe(3);
    expect(findFrontMatter('\uFEFF---\r\nteam: fw\r\n---\r\nbody\r\n')).toEqual({ yaml: 'team: fw\r\n', firstLine: 2, closeLine: 3 });
  });

  it('reports an unclosed block with closeLine null', () => {
    expect(findFrontMatter('---\nteam: fw\n')?.closeLine).toBeNull();
  });

  it('handles an empty block', () => {
    expect(findFrontMatter('---\n---\n')).toEqual({ yaml: '', firstLine: 2, closeLine: 2 });
  });
});

describe('parseFrontMatter', () => {
  it('returns null for a CLAUDE.md without front-matter', () => {
    expect(parseFrontMatter({ path: 'fw/CLAUDE.md', text: '# fw\n\nInstructions.\n' })).toBeNull();
  });

  it('maps node positions to lines of the CLAUDE.md, offset by the opening line', () => {
    const fm = parse('---\nteam: fw\nscope:\n  write: ["fw/"]\n---\n');
    expect(fm.problems).toEqual([]);
    expect(keyPos(fm, 'team')).toBe('fw/CLAUDE.md:2:1');
    expect(keyPos(fm, 'scope')).toBe('fw/CLAUDE.md:3:1');
  });

  it('keeps positions right with a BOM and CRLF line endings', () => {
    const fm = parse('\uFEFF---\r\n# comment\r\nteam: fw\r\n  \r\nscope: {write: [fw/]}\r\n---\r\n');
    expect(fm.problems).toEqual([]);
    expect(keyPos(fm, 'team')).toBe('fw/CLAUDE.md:3:1');
    expect(keyPos(fm, 'scope')).toBe('fw/CLAUDE.md:5:1');
  });

  it('reports YAML syntax errors at their position in the file', () => {
    const fm = parse('---\nteam: fw\nscope:\n  write: [*]\n---\n');
    expect(formatProblems(fm.problems)).toContain('fw/CLAUDE.md:4:11: YAML: Alias cannot be an empty string');
    expect(fm.problems[0].fix).toMatch(/"\*"/);
  });

  it('reports tabs used for indentation', () => {
    const fm = parse('---\nscope:\n\twrite: [fw/]\n---\n');
    expect(formatProblems(fm.problems)).toMatch(/fw\/CLAUDE\.md:3:1: YAML: Tabs are not allowed/);
  });

  it('reports an unclosed block at line 1', () => {
    const fm = parse('---\nteam: fw\nscope: {write: [fw/]}\n');
    expect(fm.doc).toBeUndefined();
    expect(formatProblems(fm.problems)).toContain('fw/CLAUDE.md:1:1: front-matter opened by "---" on line 1 is never closed');
  });

  it('rejects anchors and aliases', () => {
    const fm = parse('---\nscope:\n  write: &w [fw/]\n  read: *w\n---\n');
    expect(formatProblems(fm.problems)).toContain('fw/CLAUDE.md:4:9: YAML anchors and aliases are not allowed');
  });

  it('turns unresolved tags (a leading !) into problems', () => {
    const fm = parse('---\nscope:\n  write: [!fw/]\n---\n');
    expect(fm.problems).toHaveLength(1);
    expect(fm.problems[0]).toMatchObject({ file: 'fw/CLAUDE.md', line: 3, message: expect.stringContaining('Unresolved tag') });
    expect(fm.problems[0].fix).toContain(':!path');
  });

  it('does not report duplicate keys itself (the validation rules name both places)', () => {
    const fm = parse('---\nteam: fw\nteam: pm\n---\n');
    expect(fm.problems).toEqual([]);
  });
});

describe('FrontMatter readers', () => {
  it('reports duplicate keys at the second one, naming the first', () => {
    const fm = parse('---\nteam: fw\nteam: pm\n---\n');
    const entries = fm.entries(fm.doc!.contents, 'front-matter', ['team'], fm.pos(null));
    expect(entries?.get('team')?.keyPos).toEqual({ file: 'fw/CLAUDE.md', line: 2, col: 1 });
    expect(formatProblems(fm.problems)).toContain('fw/CLAUDE.md:3:1: duplicate key "team" in front-matter (first at fw/CLAUDE.md:2:1)');
  });

  it('suggests the closest known key for an unknown one', () => {
    const fm = parse('---\nwirte: [fw/]\n---\n');
    fm.entries(fm.doc!.contents, 'scope', ['write', 'read'], fm.pos(null));
    expect(fm.problems[0]).toMatchObject({ line: 2, col: 1, message: 'unknown key "wirte" in scope; did you mean "write"?', fix: 'rename "wirte" to "write".' });
  });

  it('reports every bad item of a string list and keeps the good ones', () => {
    const fm = parse('---\nlist:\n  - fw/\n  - 5\n  -\n  - [a]\n  - ""\n---\n');
    const entries = fm.entries(fm.doc!.contents, 'front-matter', ['list'], fm.pos(null))!;
    const list = entries.get('list')!;
    const items = fm.strings(list.value, 'list', list.keyPos, '["fw/"]');
    expect(items?.map((item) => item.text)).toEqual(['fw/']);
    const text = formatProblems(fm.problems);
    expect(text).toContain('fw/CLAUDE.md:4:5: list[1] must be a string, found a number (5)');
    expect(text).toContain('fw/CLAUDE.md:6:5: list[3] must be a string, found a list');
    expect(text).toContain('fw/CLAUDE.md:7:5: list[4] is an empty string');
    expect(text).toMatch(/fw\/CLAUDE\.md:5:\d+: list\[2\] must be a string, found nothing \(null\)/);
  });
});
