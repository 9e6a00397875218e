/**
 * YAML front-matter of a CLAUDE.md: finding the block, parsing it with source ranges, and reading
 * its nodes while recording every problem at a 1-based line and column IN THE CLAUDE.md FILE.
 * The policy rules that use these readers live in policy/rules.ts.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, ParsedNode, Scalar, YAMLError } from 'yaml';
import { suggestKey } from './problems';
import type { PolicyFile, PolicyProblem, SourcePos } from './types';

export { findFrontMatter, hasFrontMatter, type FrontMatterBlock } from './front-matter-block';
import { findFrontMatter } from './front-matter-block';

export interface Entry {
  key: string;
  keyPos: SourcePos;
  value: ParsedNode | null;
}

export interface StringItem {
  text: string;
  pos: SourcePos;
}

/** A parsed front-matter block plus the problems found in it so far. */
export class FrontMatter {
  readonly problems: PolicyProblem[] = [];
  readonly warnings: PolicyProblem[] = [];

  constructor(
    readonly file: string,
    /** Undefined when the block is not closed (nothing was parsed). */
    readonly doc: Document.Parsed | undefined,
    private readonly lines: LineCounter,
    private readonly firstLine: number,
  ) {}

  /** Position in the CLAUDE.md of an offset into the YAML text. */
  posAt(offset: number): SourcePos {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line: Math.max(line, 1) + this.firstLine - 1, col: Math.max(col, 1) };
  }

  /** Position of a node; `fallback` (or the first YAML line) when the node has no source range. */
  pos(node: ParsedNode | null | undefined, fallback?: SourcePos): SourcePos {
    const start = node?.range?.[0];
    if (start !== undefined) return this.posAt(start);
    return fallback ?? { file: this.file, line: this.firstLine, col: 1 };
  }

  error(at: SourcePos, message: string, fix: string): void {
    this.problems.push({ ...at, message, fix });
  }

  warn(at: SourcePos, message: string, fix: string): void {
    this.warnings.push({ ...at, message, fix });
  }

  /**
   * Reads a map whose keys must all be in `known`: reports a value that is not a map, keys that are
   * not strings, duplicate keys (naming the first) and unknown keys (naming the closest known one).
   * `misplaced` maps a key that belongs elsewhere to advice on where to move it.
   */
  entries(node: ParsedNode | null, where: string, known: readonly string[], at: SourcePos,
    misplaced: Record<string, string> = {}): Map<string, Entry> | undefined {
    if (!isMap(node)) {
      this.error(this.pos(node, at), `${where} must be a map of keys, found ${describe(node)}`,
        `write ${where} as "key: value" lines (known keys: ${known.join(', ')}).`);
      return undefined;
    }
    const out = new Map<string, Entry>();
    for (const pair of node.items) {
      const keyNode = pair.key as ParsedNode | null;
      const value = pair.value as ParsedNode | null;
      const keyPos = this.pos(keyNode, at);
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.error(keyPos, `${where} has a key that is ${describe(keyNode)}, not a name`,
          `use one of the known keys: ${known.join(', ')}.`);
        continue;
      }
      const key = keyNode.value;
      const first = out.get(key);
      if (first) {
        this.error(keyPos, `duplicate key "${key}" in ${where} (first at ${first.keyPos.file}:${first.keyPos.line}:${first.keyPos.col})`,
          `keep one "${key}:" in ${where} and delete the other.`);
      } else if (!known.includes(key)) {
        this.unknownKey(key, keyPos, where, known, misplaced);
      } else {
        out.set(key, { key, keyPos, value });
      }
    }
    return out;
  }

  private unknownKey(key: string, at: SourcePos, where: string, known: readonly string[], misplaced: Record<string, string>): void {
    const guess = suggestKey(key, known);
    const hint = guess ? `; did you mean "${guess}"?` : '';
    const fix = Object.hasOwn(misplaced, key) ? misplaced[key]
      : guess ? `rename "${key}" to "${guess}".` : `remove "${key}" (known keys in ${where}: ${known.join(', ')}).`;
    this.error(at, `unknown key "${key}" in ${where}${hint}`, fix);
  }

  /** A non-empty string scalar, or undefined after reporting what it is instead. */
  string(node: ParsedNode | null, where: string, at: SourcePos, example: string): StringItem | undefined {
    const pos = this.pos(node, at);
    if (isScalar(node) && typeof node.value === 'string') {
      if (node.value.trim() !== '') return { text: node.value, pos };
      this.error(pos, `${where} is an empty string`, `write a value, e.g. ${where}: ${example}.`);
      return undefined;
    }
    this.error(pos, `${where} must be a string, found ${describe(node)}`, stringFix(node, `${where}: ${example}`));
    return undefined;
  }

  /** A list of non-empty strings; every bad item is reported, the good ones are returned. */
  strings(node: ParsedNode | null, where: string, at: SourcePos, example: string): StringItem[] | undefined {
    if (!isSeq(node)) {
      this.error(this.pos(node, at), `${where} must be a list of strings, found ${describe(node)}`,
        `write it as a list, e.g. ${where.split('.').pop()}: ${example}.`);
      return undefined;
    }
    const out: StringItem[] = [];
    node.items.forEach((item, index) => {
      const value = this.string(item as ParsedNode | null, `${where}[${index}]`, this.pos(node, at), example);
      if (value) out.push(value);
    });
    return out;
  }
}

/** What a node is, for messages: "a number (5)", "null", "a list", "a map". */
export function describe(node: ParsedNode | null | undefined): string {
  if (node === null || node === undefined) return 'nothing (null)';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = (node as Scalar).value;
    if (value === null) return 'nothing (null)';
    if (typeof value === 'string') return `a string ("${value}")`;
    return `a ${typeof value} (${String(value)})`;
  }
  return 'a YAML alias';
}

function stringFix(node: ParsedNode | null, example: string): string {
  if (isScalar(node) && node.value !== null) return `put the value in quotes so it is a string: "${String(node.source ?? node.value)}".`;
  if (isSeq(node)) return 'write a plain string here; nested lists are not allowed.';
  if (isMap(node)) return 'write a plain string here; if it contains ": " put the whole value in quotes.';
  return `write a value, e.g. ${example}, or delete the empty entry.`;
}

const YAML_FIXES: Partial<Record<YAMLError['code'], string>> = {
  BAD_ALIAS: 'put the value in quotes: a bare * starts a YAML alias, so write "*" (and "*.md" rather than *.md).',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation.',
  TAG_RESOLVE_FAILED: 'put the value in quotes: a leading ! starts a YAML tag (an exclude pattern is written ":!path").',
  BAD_INDENT: 'align the lines of this block and close every [ and { you open.',
  MULTILINE_IMPLICIT_KEY: 'put a space after the colon of the previous key, or quote the value.',
  BLOCK_AS_IMPLICIT_KEY: 'put the nested map on its own indented lines.',
};

/** Parses the front-matter of a CLAUDE.md; null when it has none (the file is then not a policy file). */
export function parseFrontMatter(file: PolicyFile): FrontMatter | null {
  const block = findFrontMatter(file.text);
  if (!block) return null;
  const lines = new LineCounter();
  if (block.closeLine === null) {
    const fm = new FrontMatter(file.path, undefined, lines, block.firstLine);
    fm.error({ file: file.path, line: 1, col: 1 }, 'front-matter opened by "---" on line 1 is never closed',
      'add a line "---" after the last line of the YAML front-matter.');
    return fm;
  }
  const doc = parseDocument(block.yaml, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, merge: false });
  const fm = new FrontMatter(file.path, doc, lines, block.firstLine);
  for (const issue of [...doc.errors, ...doc.warnings]) {
    fm.error(fm.posAt(issue.pos[0]), `YAML: ${issue.message}`,
      YAML_FIXES[issue.code] ?? 'correct the YAML syntax at this position (quote values that start with *, !, &, @, [ or {).');
  }
  visit(doc, {
    Alias: (_key, node) => {
      fm.error(fm.pos(node as unknown as ParsedNode), 'YAML anchors and aliases are not allowed in policy front-matter',
        'write the value out in full instead of using *alias (and remove the &anchor).');
    },
  });
  return fm;
}
