/**
 * The very first commit of a new repository (HEAD unborn: `rev-parse --symbolic-full-name HEAD`
 * fails, so the hooks ask again without it) with the policy only in the work tree.
 */
import { join } from 'path';
import { STANDARD_POLICY } from '../../fixtures/policies';
import { initRepo, isolatedEnv, tempDir } from '../../fixtures/repo';
import { installCloneHooks } from '../../hooks/install';

test('pre-commit judges the first commit of a new repository against the work tree policy', async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const repo = initRepo(join(home, 'project'), env);
  await installCloneHooks(repo.dir, { team: 'fw', env });
  for (const [path, text] of Object.entries(STANDARD_POLICY)) repo.write(path, text);
  repo.write('fw/engine.py', 'x\n');
  repo.git(['add', 'fw/engine.py', 'pm/README.md']);
  const refused = repo.tryGit(['commit', '-q', '-m', 'first']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('pm/README.md');
  expect(refused.stderr).toContain('policy from work tree');
  // The hint names a command that works before the first commit, and the test runs it as written.
  const hint = /unstage: (git rm -q --cached -- \S+)/.exec(refused.stderr);
  expect(hint).not.toBeNull();
  repo.git(hint![1].split(' ').slice(1));
  const accepted = repo.tryGit(['commit', '-q', '-m', 'first']);
  expect(accepted.stderr).toBe('');
  expect(accepted.code).toBe(0);
});
