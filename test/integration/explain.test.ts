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
