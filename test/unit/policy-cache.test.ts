/** The compiled-policy cache: same policy back, keyed by commit, never trusted when stale or corrupt. */
import { writeFileSync, mkdirSync } from 'fs';
import { join } from 'path';
import { buildPolicy } from '../../policy/build';
import { readCachedPolicy, writeCachedPolicy } from '../../policy/cache';
import { matchPathspecs } from '../../policy/pathspec';
import { STANDARD_POLICY } from '../../fixtures/policies';
import { tempDir } from '../../fixtures/repo';

const files = Object.entries(STANDARD_POLICY).filter(([path]) => path.endsWith('CLAUDE.md')).map(([path, text]) => ({ path, text }));
const { policy, warnings } = buildPolicy(files);

test('a cached policy comes back equal, with working matchers', () => {
  const dir = tempDir();
  writeCachedPolicy(dir, 'a'.repeat(40), policy!, warnings);
  const cached = readCachedPolicy(dir, 'a'.repeat(40))!;
  expect(cached.policy.teams.map((team) => [team.name, team.write.map((pattern) => pattern.text)]))
    .toEqual(policy!.teams.map((team) => [team.name, team.write.map((pattern) => pattern.text)]));
  expect(cached.policy.coord).toEqual(policy!.coord);
  expect(cached.policy.policyFiles).toEqual(policy!.policyFiles);
  const qa = cached.policy.teams.find((team) => team.name === 'qa')!;
  expect(matchPathspecs(qa.write.map((pattern) => pattern.spec), 'tests/a/b/c.spec.ts').matched).toBe(true);
  expect(matchPathspecs(qa.write.map((pattern) => pattern.spec), 'tests/a/b/c.ts').matched).toBe(false);
});

test('another commit, a corrupt file or no file: no cached policy', () => {
  const dir = tempDir();
  expect(readCachedPolicy(dir, 'a'.repeat(40))).toBeNull();
  writeCachedPolicy(dir, 'a'.repeat(40), policy!, warnings);
  expect(readCachedPolicy(dir, 'b'.repeat(40))).toBeNull();
  mkdirSync(join(dir, 'coord-hooks'), { recursive: true });
  writeFileSync(join(dir, 'coord-hooks', 'policy-cache.json'), '{"commit": "aaaa", "policy": ');
  expect(readCachedPolicy(dir, 'a'.repeat(40))).toBeNull();
});
