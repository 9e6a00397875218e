/** A CLAUDE.md that looks like a team file but has no front-matter: a warning instead of a silently dropped team. */
import { buildPolicy } from '../../policy/build';
import { formatProblems } from '../../policy/problems';

const build = (files: Record<string, string>) => buildPolicy(Object.entries(files).map(([path, text]) => ({ path, text })));
const FW = '---\nscope:\n  write: ["fw/"]\n---\n';

test('the YAML without its "---" lines: a warning at the scope line, and the team is not declared', () => {
  const result = build({ 'fw/CLAUDE.md': FW, 'pm/CLAUDE.md': 'scope:\n  write: ["pm/"]\n\n# PM notes\n' });
  expect(result.problems).toEqual([]);
  expect(result.policy!.teams.map((team) => team.name)).toEqual(['fw']);
  expect(formatProblems(result.warnings)).toBe(
    'pm/CLAUDE.md:1:1: this CLAUDE.md has no front-matter (line 1 is not "---"), so "scope:" on line 1 is not read and the file declares nothing\n' +
    '    fix: put the policy between a "---" line at the very top of the file and a closing "---" line; if the file is only notes, reword that line.');
});

test('a "---" block below a title: the warning points at the block', () => {
  const result = build({ 'pm/CLAUDE.md': '# PM\n\n---\nscope:\n  write: ["pm/"]\n---\n' });
  expect(result.warnings).toEqual([expect.objectContaining({ file: 'pm/CLAUDE.md', line: 3, col: 1,
    message: 'this CLAUDE.md has no front-matter: its "---" block starts on line 3, not line 1, so the "scope:" on line 4 is not read and the file declares nothing' })]);
});

test('an indented write list and a root coord block are recognised too', () => {
  const result = build({ 'qa/CLAUDE.md': '# QA\nteam: qa\n  write: ["qa/"]\n', 'CLAUDE.md': 'coord:\n  protected: [main]\n' });
  expect(result.warnings.map((warning) => `${warning.file}:${warning.line}`)).toEqual(['CLAUDE.md:1', 'qa/CLAUDE.md:3']);
});

test('notes without anything that looks like policy stay silent, and so does a valid team file', () => {
  const result = build({ 'docs/CLAUDE.md': '# Docs\n\n---\n\nWrite the scope: carefully. write: things\n', 'fw/CLAUDE.md': FW });
  expect(result.warnings).toEqual([]);
  expect(result.problems).toEqual([]);
});

test('front-matter that declares no team is already reported (empty: a warning; team without scope: an error)', () => {
  expect(build({ 'pm/CLAUDE.md': '---\n---\n' }).warnings[0].message).toContain('front-matter is empty');
  expect(build({ 'pm/CLAUDE.md': '---\nteam: pm\n---\n' }).problems[0].message).toContain('"team" is set but there is no "scope"');
});
