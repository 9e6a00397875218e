/** `coord-hooks explain` in a real clone of a gated server: the text and JSON views of who may write a path. */
import { runCommand } from '../../fixtures/cli';
import { STANDARD_POLICY, teamClaude } from '../../fixtures/policies';
import { makeSetup, type Setup } from '../../fixtures/server';
import type { Repo } from '../../fixtures/repo';

let setup: Setup;
let qa: Repo;

beforeAll(async () => {
  // docs may write everything but snapshots: a scope of only excludes (git reads it as "everything but").
  setup = await makeSetup({ policy: { ...STANDARD_POLICY, 'docs/CLAUDE.md': teamClaude([':!*.snap']) } });
  qa = setup.clone('qa');
});

const explain = (...args: string[]) => runCommand(['explain', ...args], { cwd: qa.dir, env: setup.env });

test('a path allowed by an exclude-only scope is explained in text, not a crash', async () => {
  const result = await explain('pm/notes.md');
  expect(result.stderr).not.toContain('Cannot read properties');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('docs: may write: its patterns in docs/CLAUDE.md are all excludes, which select everything but them, and none excludes this path');
  expect(result.stdout).toMatch(/pm: may write, by "pm\/"/);
  const snap = await explain('--team', 'docs', 'pm/a.snap');
  expect(snap.code).toBe(1);
  expect(snap.stdout).toMatch(/docs: may not, excluded by ":!\*\.snap" \(docs\/CLAUDE\.md:\d+:\d+\)/);
});

test('--team names the team that may write the path instead of "no team"', async () => {
  const result = await explain('--team', 'qa', 'pm/x');
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('qa: may not (no pattern in qa/CLAUDE.md matches)');
  expect(result.stdout).not.toContain('no team may write it');
  expect(result.stdout).toContain('it belongs to team docs, team pm');
  const nobody = await explain('--team', 'qa', 'shared/x.snap');
  expect(nobody.code).toBe(1);
  expect(nobody.stdout).toContain('no team may write it: only the architect');
});

test('--policy-from worktree prints the policy\'s warnings: overlaps, ".." and patterns that select nothing (git agrees)', async () => {
  qa.git(['checkout', '-q', '-B', 'policy-draft', 'origin/main']);
  qa.write('qa/CLAUDE.md', teamClaude(['qa/', 'qa/../fw/', 'packages/jest-*/src/']));
  qa.write('packages/jest-core/src/index.ts', 'x\n');
  const result = await explain('--policy-from', 'worktree', 'fw/a.txt');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('qa: may write, by "qa/../fw/"');
  expect(result.stderr).toMatch(/^\d+ warnings about the policy \(from work tree; see docs\/policy\.md, Errors and warnings\):\n/);
  expect(result.stderr).toMatch(/qa\/CLAUDE\.md:3:\d+: teams qa and fw may both write every path of team fw's "fw\/" \(fw\/CLAUDE\.md:3:\d+\): team qa's "qa\/\.\.\/fw\/" \(read as "fw\/"\)/);
  expect(result.stderr).toContain('scope.write pattern "qa/../fw/" climbs with "..": git reads it as "fw/"');
  expect(result.stderr).toContain('scope.write pattern "packages/jest-*/src/" selects nothing');
  expect(result.stderr).toContain('fix: write ":(glob)packages/jest-*/src/**" to select everything below the matching directories.');
  // git itself: the pattern as written lists nothing, the suggested one lists the file.
  qa.git(['add', '-A']);
  expect(qa.git(['ls-files', '--', 'packages/jest-*/src/'])).toBe('');
  expect(qa.git(['ls-files', '--', ':(glob)packages/jest-*/src/**'])).toBe('packages/jest-core/src/index.ts');
  const json = JSON.parse((await explain('--policy-from', 'worktree', '--json', 'fw/a.txt')).stdout) as { warnings: { at: string; message: string }[] };
  expect(json.warnings.map((warning) => warning.message)).toContain('scope.write pattern "qa/../fw/" climbs with "..": git reads it as "fw/"');
  qa.git(['reset', '-q', '--hard', 'origin/main']);
});

test('the protected branch\'s policy: warnings from its own tree (a pattern that selects none of its paths)', async () => {
  const result = await explain('fw/a.txt');
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/fw\/CLAUDE\.md:3:\d+: team fw's scope\.write pattern "experiments\/x\/" selects no path of the tree/);
  expect(result.stderr).toContain('docs/CLAUDE.md:3:3: scope.write has only exclude patterns');
});
