/** Overlapping write scopes and patterns that select nothing (policy/overlap.ts; docs/policy.md, Overlaps). */
import { buildPolicy } from '../../policy/build';
import { overlapWarnings, treeWarnings } from '../../policy/overlap';
import { matchPathspecs, parsePathspecs } from '../../policy/pathspec';
import type { Policy, PolicyProblem } from '../../policy/types';

const team = (write: string[]) => `---\nscope:\n  write: [${write.map((pattern) => JSON.stringify(pattern)).join(', ')}]\n---\n`;

function build(teams: Record<string, string[]>): { policy: Policy; warnings: PolicyProblem[] } {
  const result = buildPolicy(Object.entries(teams).map(([name, write]) => ({ path: `${name}/CLAUDE.md`, text: team(write) })));
  expect(result.problems).toEqual([]);
  return { policy: result.policy!, warnings: result.warnings };
}

const lines = (warnings: PolicyProblem[]) => warnings.map((w) => `${w.file}:${w.line}:${w.col}: ${w.message}`);

describe('from the patterns alone (every build)', () => {
  test('another team claiming a team\'s directory: one warning, at the claim outside its own directory', () => {
    const { warnings } = build({ fw: ['fw/'], qa: ['qa/', 'fw/'] });
    expect(lines(warnings)).toEqual([
      'qa/CLAUDE.md:3:18: teams qa and fw may both write every path of team fw\'s "fw/" (fw/CLAUDE.md:3:11): team qa\'s "fw/" (qa/CLAUDE.md:3:18) selects them too']);
    expect(warnings[0].fix).toBe('if only one team should write these paths, add ":!fw/" to team qa\'s scope.write; overlaps are allowed, but two teams then change the same files on two branches.');
  });

  test('"*" overlaps every other team; a file inside a directory too', () => {
    const { warnings } = build({ fw: ['fw/'], pm: ['pm/plan.md'], qa: ['*'] });
    expect(lines(warnings)).toEqual([
      'qa/CLAUDE.md:3:11: teams qa and fw may both write every path of team fw\'s "fw/" (fw/CLAUDE.md:3:11): team qa\'s "*" (qa/CLAUDE.md:3:11) selects them too',
      'qa/CLAUDE.md:3:11: teams qa and pm may both write every path of team pm\'s "pm/plan.md" (pm/CLAUDE.md:3:11): team qa\'s "*" (qa/CLAUDE.md:3:11) selects them too']);
    expect(lines(build({ fw: ['fw/'], pm: ['fw/plan.md'] }).warnings)).toEqual([
      'fw/CLAUDE.md:3:11: teams fw and pm may both write every path of team pm\'s "fw/plan.md" (pm/CLAUDE.md:3:11): team fw\'s "fw/" (fw/CLAUDE.md:3:11) selects them too']);
  });

  test('".." components: normalised as git does, shown with their reading, and warned about', () => {
    const { policy, warnings } = build({ fw: ['fw/'], qa: ['qa/../fw/'] });
    expect(policy.teams[1].write[0].spec.matches('fw/a.txt')).toBe(true);
    expect(lines(warnings)).toEqual([
      'qa/CLAUDE.md:3:11: scope.write pattern "qa/../fw/" climbs with "..": git reads it as "fw/"',
      'qa/CLAUDE.md:3:11: teams qa and fw may both write every path of team fw\'s "fw/" (fw/CLAUDE.md:3:11): team qa\'s "qa/../fw/" (read as "fw/") (qa/CLAUDE.md:3:11) selects them too']);
  });

  test('an exclude that removes the narrower pattern whole removes the overlap; a partial one does not', () => {
    expect(build({ fw: ['fw/'], qa: ['*', ':!fw/'] }).warnings).toEqual([]);
    expect(build({ fw: ['fw/'], qa: ['*', ':!fw/vendor/'] }).warnings).toHaveLength(1);
    expect(build({ fw: ['fw/', ':!fw/qa/'], qa: ['fw/qa/'] }).warnings).toEqual([]);
    // A list of only excludes selects everything but them: it overlaps like "*".
    expect(lines(build({ fw: ['fw/'], docs: [':!*.snap'] }).warnings).join('\n')).toContain('team docs\'s its list of only excludes');
  });

  test('patterns that cannot or may not share a path are not reported from text alone', () => {
    expect(overlapWarnings(build({ fw: ['fw/'], fwx: ['fwx/'], a: ['fw2'] }).policy.teams)).toEqual([]);
    expect(overlapWarnings(build({ fw: [':(glob)src/**/*.ts'], qa: [':(glob)src/**/*.md'] }).policy.teams)).toEqual([]);
    expect(overlapWarnings(build({ fw: ['fw/'], qa: [':(icase)FW/x'] }).policy.teams)).toEqual([]);
    // ... but a glob that contains the other is.
    expect(overlapWarnings(build({ fw: [':(glob)src/**'], qa: [':(glob)src/**/*.test.ts'] }).policy.teams)).toHaveLength(1);
    expect(overlapWarnings(build({ fw: [':(icase)fw/'], qa: ['FW/x'] }).policy.teams)).toHaveLength(1);
  });

  test('a wildcard pattern ending in "/" selects nothing: a warning with a pattern that does', () => {
    const { warnings } = build({ js: ['packages/jest-*/src/'] });
    expect(lines(warnings)).toEqual(['js/CLAUDE.md:3:11: scope.write pattern "packages/jest-*/src/" selects nothing: git matches a pattern with a wildcard against whole file paths, and no file path ends in "/"']);
    expect(warnings[0].fix).toBe('write ":(glob)packages/jest-*/src/**" to select everything below the matching directories.');
    const path = 'packages/jest-core/src/index.ts';
    expect(matchPathspecs(parsePathspecs(['packages/jest-*/src/']), path).matched).toBe(false);
    expect(matchPathspecs(parsePathspecs([':(glob)packages/jest-*/src/**']), path).matched).toBe(true);
  });
});

describe('over a tree\'s paths', () => {
  test('team pairs sharing paths the text could not prove: counted, with examples and the deciding patterns', () => {
    const { policy } = build({ fw: [':(glob)src/**/*.ts'], qa: [':(glob)src/**/*.test.*'] });
    expect(treeWarnings(policy, ['src/a.ts', 'src/b.test.md', 'fw/CLAUDE.md', 'qa/CLAUDE.md'])).toEqual([]);
    const shared = treeWarnings(policy, ['src/a.ts', 'src/a.test.ts', 'src/x/b.test.ts', 'fw/CLAUDE.md', 'qa/CLAUDE.md']);
    expect(lines(shared)).toEqual([
      'fw/CLAUDE.md:3:11: teams fw and qa may both write 2 paths of the tree, e.g. src/a.test.ts, src/x/b.test.ts: team fw by ":(glob)src/**/*.ts" (fw/CLAUDE.md:3:11), team qa by ":(glob)src/**/*.test.*" (qa/CLAUDE.md:3:11)']);
  });

  test('pairs the build already reports are not repeated; policy files are nobody\'s overlap', () => {
    const { policy } = build({ fw: ['fw/'], qa: ['qa/', 'fw/'] });
    expect(treeWarnings(policy, ['fw/a.txt', 'qa/a.txt', 'fw/CLAUDE.md', 'qa/CLAUDE.md'])).toEqual([]);
    const star = build({ all: ['*', ':!fw/'], fw: ['fw/'] }).policy;
    expect(treeWarnings(star, ['fw/a.txt', 'fw/CLAUDE.md', 'all/CLAUDE.md', 'x'])).toEqual([]);
  });

  test('a positive write pattern that selects no path of the tree', () => {
    const { policy } = build({ fw: ['fw/', 'experiments/x/', ':!fw/vendor/'] });
    expect(lines(treeWarnings(policy, ['fw/CLAUDE.md', 'fw/a.txt']))).toEqual([
      'fw/CLAUDE.md:3:18: team fw\'s scope.write pattern "experiments/x/" selects no path of the tree']);
    expect(treeWarnings(policy, ['fw/CLAUDE.md', 'experiments/x/run.py'])).toEqual([]);
  });
});
