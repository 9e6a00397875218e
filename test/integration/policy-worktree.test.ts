/** Loading the policy from a real work tree: which CLAUDE.md files count, and where errors point. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { git } from '../../git/run';
import { findTeamFile, listPolicyCandidates, loadPolicyFromWorktree } from '../../policy/load-worktree';
import { PolicyError } from '../../policy/problems';
import { CoordError } from '../../core/errors';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'coord-policy-')));
  dirs.push(dir);
  return dir;
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

async function repo(files: Record<string, string>, tracked: string[] = []): Promise<string> {
  const root = tempDir();
  await git(['init', '-q', '-b', 'main'], { cwd: root });
  write(root, files);
  if (tracked.length > 0) await git(['add', '--', ...tracked], { cwd: root });
  return root;
}

const ROOT = '---\ncoord:\n  identity: pusher\n---\n# Repository\n';
const FW = '---\nscope:\n  write: ["fw/"]\nmembers: [alice]\n---\n# fw\n';
const PM = '---\nscope:\n  write: ["pm/"]\n---\n';
const QA = '---\nteam: qa\nscope:\n  write: [":(glob)test/**/*.test.ts"]\n---\n';

describe('loadPolicyFromWorktree', () => {
  it('reads tracked and untracked CLAUDE.md files at every depth, root included, from any subdirectory', async () => {
    const root = await repo({
      'CLAUDE.md': ROOT,
      'fw/CLAUDE.md': FW,
      'fw/src/index.ts': 'export {};\n',
      'pm/CLAUDE.md': PM,
      'teams/qa/CLAUDE.md': QA,
      'docs/CLAUDE.md': '# Docs\n\nNot policy: no front-matter.\n',
      '.gitignore': 'ignored/\n',
      'ignored/CLAUDE.md': '---\nthis is: [not valid\n---\n',
    }, ['CLAUDE.md', 'fw/CLAUDE.md', '.gitignore']);

    const candidates = await listPolicyCandidates(root);
    expect(candidates).toEqual(['CLAUDE.md', 'docs/CLAUDE.md', 'fw/CLAUDE.md', 'pm/CLAUDE.md', 'teams/qa/CLAUDE.md']);

    const loaded = await loadPolicyFromWorktree(join(root, 'fw', 'src'));
    expect(loaded.root).toBe(root);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.policy.teams.map((team) => [team.name, team.file, team.members])).toEqual([
      ['fw', 'fw/CLAUDE.md', ['alice']], ['pm', 'pm/CLAUDE.md', ['pm']], ['qa', 'teams/qa/CLAUDE.md', ['qa']]]);
    expect(loaded.policy.coord.identity).toBe('pusher');
    expect(loaded.policy.policyFiles).toEqual(['.coord/allowed_signers', 'CLAUDE.md', 'fw/CLAUDE.md', 'pm/CLAUDE.md', 'teams/qa/CLAUDE.md']);
  });

  it('skips tracked files deleted from disk and symlinked CLAUDE.md files, as a git tree would', async () => {
    const root = await repo({ 'fw/CLAUDE.md': FW, 'gone/CLAUDE.md': PM, 'elsewhere.md': PM }, ['fw/CLAUDE.md', 'gone/CLAUDE.md']);
    rmSync(join(root, 'gone', 'CLAUDE.md'));
    mkdirSync(join(root, 'link'));
    symlinkSync('../elsewhere.md', join(root, 'link', 'CLAUDE.md'));
    const loaded = await loadPolicyFromWorktree(root);
    expect(loaded.policy.teams.map((team) => team.name)).toEqual(['fw']);
  });

  it('throws a PolicyError (exit 2) listing every problem with file:line:col', async () => {
    const root = await repo({
      'fw/CLAUDE.md': '---\nscope:\n  wirte: ["fw/"]\n---\n',
      'pm/CLAUDE.md': '---\nscope:\n  write: [42]\n---\n',
    });
    const error = await loadPolicyFromWorktree(root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyError);
    const policyError = error as PolicyError;
    expect(policyError.exitCode).toBe(2);
    expect(policyError.message).toContain('fw/CLAUDE.md:3:3: unknown key "wirte" in scope; did you mean "write"?');
    expect(policyError.message).toContain('pm/CLAUDE.md:3:11: scope.write[0] must be a string, found a number (42)');
    expect(policyError.hint).toContain('docs/policy.md');
  });

  it('outside a work tree it fails with exit code 2', async () => {
    const error = await loadPolicyFromWorktree(tempDir()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordError);
    expect((error as CoordError).exitCode).toBe(2);
    expect((error as CoordError).message).toContain('is not inside a git work tree');
  });
});

describe('findTeamFile', () => {
  it('finds the nearest CLAUDE.md with front-matter, skipping those without', async () => {
    const root = await repo({ 'CLAUDE.md': ROOT, 'fw/CLAUDE.md': FW, 'fw/docs/CLAUDE.md': '# plain notes\n', 'fw/docs/deep/x.md': 'x\n', 'other/y.md': 'y\n' });
    expect(await findTeamFile(join(root, 'fw', 'docs', 'deep'))).toEqual({ path: join(root, 'fw', 'CLAUDE.md'), file: 'fw/CLAUDE.md', team: 'fw' });
    expect(await findTeamFile(join(root, 'other'), root)).toEqual({ path: join(root, 'CLAUDE.md'), file: 'CLAUDE.md', team: null });
  });

  it('does not look above the top of the work tree', async () => {
    const outer = tempDir();
    write(outer, { 'CLAUDE.md': '---\nteam: outer\nscope: {write: ["*"]}\n---\n', 'repo/src/a.txt': 'a\n' });
    await git(['init', '-q'], { cwd: join(outer, 'repo') });
    expect(await findTeamFile(join(outer, 'repo', 'src'))).toBeNull();
    expect(await findTeamFile(outer, join(outer, 'repo'))).toBeNull();
  });

  it('throws a PolicyError when the nearest team file is invalid', async () => {
    const root = await repo({ 'fw/CLAUDE.md': '---\nscope:\n  write: fw/\n---\n' });
    await expect(findTeamFile(join(root, 'fw'))).rejects.toThrow(/fw\/CLAUDE\.md:3:10: scope\.write must be a list of strings/);
  });
});
