/**
 * worktreePolicyWarnings: every warning about a work tree's policy, the tree's included, for the
 * architect's pre-commit. A real repository; files git would add count as the tree.
 */
import { join } from 'path';
import { STANDARD_POLICY, teamClaude } from '../../fixtures/policies';
import { initRepo, isolatedEnv, removeDir, tempDir } from '../../fixtures/repo';
import { worktreePolicyWarnings } from '../../policy/load-worktree';
import { PolicyError } from '../../policy/problems';

test('build and tree warnings of the work tree, in file order; a broken policy throws its problems', async () => {
  const root = tempDir('coord-policy-warnings-');
  try {
    const repo = initRepo(join(root, 'repo'), isolatedEnv(join(root, 'home')));
    for (const [path, text] of Object.entries({ ...STANDARD_POLICY, 'qa/CLAUDE.md': teamClaude(['qa/', 'fw/']) })) repo.write(path, text);
    repo.write('.gitignore', 'ignored/\n');
    repo.write('ignored/experiments/x/a.txt', 'not in the tree\n');
    const warnings = await worktreePolicyWarnings(join(repo.dir, 'fw'));
    expect(warnings.map((warning) => `${warning.file}:${warning.line}: ${warning.message.split(':')[0]}`)).toEqual([
      'fw/CLAUDE.md:3: team fw\'s scope.write pattern "experiments/x/" selects no path of the tree',
      'qa/CLAUDE.md:3: teams qa and fw may both write every path of team fw\'s "fw/" (fw/CLAUDE.md',
    ]);
    repo.write('experiments/x/run.py', 'x\n');
    expect(await worktreePolicyWarnings(repo.dir)).toHaveLength(1);
    repo.write('pm/CLAUDE.md', '---\nscope:\n  write: pm/\n---\n');
    await expect(worktreePolicyWarnings(repo.dir)).rejects.toBeInstanceOf(PolicyError);
  } finally {
    removeDir(root);
  }
});
