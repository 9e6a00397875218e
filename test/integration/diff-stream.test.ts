/**
 * The lean push stream (git/diff.ts): every record cut out of git's raw buffers must be what
 * `git diff-tree` says for that commit, read the plain way (one call per commit, split at NUL), on a
 * real repository with records across pipe chunks, merges (-c: one colon per parent), deletions,
 * symlinks, a gitlink, bytes that are not UTF-8, empty and root commits. Asynchronous verdicts keep
 * their order and a failing one fails the stream.
 */
import { writeFileSync, mkdirSync, symlinkSync } from 'fs';
import { join } from 'path';
import { gitSync } from '../../git/run';
import { GitRepo } from '../../git/repo';
import type { DiffRecord } from '../../git/diff';
import { initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';

let root: string;
let repo: Repo;
const commits: string[] = [];

interface Seen { commit: string; path: string; mode: number; oid: string }

/** The reference: diff-tree for one commit, split at NUL, fields by position. */
function reference(commit: string): Seen[] {
  const out = gitSync(['diff-tree', '-r', '-z', '-c', '--no-renames', '--root', '--always', commit], { cwd: repo.dir, env: repo.env }).stdout;
  const tokens: Buffer[] = [];
  let at = 0;
  for (let end = out.indexOf(0); end >= 0; at = end + 1, end = out.indexOf(0, at)) tokens.push(out.subarray(at, end));
  const seen: Seen[] = [];
  for (let index = 1; index < tokens.length; index += 2) {
    const meta = tokens[index].toString('latin1');
    const parents = meta.length - meta.replace(/^:+/, '').length;
    const fields = meta.slice(parents).split(' ');
    seen.push({ commit, path: tokens[index + 1].toString('latin1'), mode: parseInt(fields[parents], 8), oid: fields[2 * parents + 1] });
  }
  return seen;
}

beforeAll(() => {
  root = tempDir('coord-hooks-diff-stream-');
  const env = isolatedEnv(root);
  repo = initRepo(join(root, 'repo'), env);
  repo.commit('root', { 'a.txt': 'a\n' });
  commits.push(repo.head());
  // Thousands of long paths: git's output spans many pipe chunks, records are cut at chunk ends.
  const files: Record<string, string> = {};
  for (let index = 0; index < 3000; index++) files[`fw/some/rather/long/directory/name/number-${index % 37}/file-${index}-${'x'.repeat(index % 50)}.txt`] = `${index}\n`;
  repo.commit('many', files);
  commits.push(repo.head());
  // Bytes that are not UTF-8, a symlink, an executable, a deletion.
  mkdirSync(join(repo.dir, 'bin'), { recursive: true });
  writeFileSync(Buffer.from(`${join(repo.dir, 'bin')}/latin-\xe9-\xff.txt`, 'latin1'), 'latin\n');
  symlinkSync('../a.txt', join(repo.dir, 'bin', 'link'));
  repo.write('bin/run.sh', '#!/bin/sh\n', 0o755);
  repo.remove('a.txt');
  repo.git(['add', '-A']);
  repo.git(['commit', '-q', '-m', 'odd']);
  commits.push(repo.head());
  // A gitlink (a submodule entry without a submodule).
  repo.git(['update-index', '--add', '--cacheinfo', `160000,${commits[0]},vendor/sub`]);
  repo.git(['commit', '-q', '-m', 'gitlink']);
  commits.push(repo.head());
  repo.git(['commit', '-q', '--allow-empty', '-m', 'empty']);
  commits.push(repo.head());
  // A merge with its own change: -c reports it with one colon per parent.
  repo.git(['checkout', '-q', '-b', 'side', commits[1]]);
  repo.commit('side', { 'side.txt': 'side\n', 'both.txt': 'side\n' });
  repo.git(['checkout', '-q', '-']);
  repo.commit('main', { 'both.txt': 'main\n' });
  commits.push(repo.head());
  repo.tryGit(['merge', '-q', '--no-edit', 'side']);
  repo.write('both.txt', 'merged\n').git(['add', '-A']);
  repo.git(['commit', '-q', '--no-edit']);
  commits.push(repo.head());
});

afterAll(() => removeDir(root));

test('every record is what git diff-tree says, across chunks, merges, odd modes and bytes', async () => {
  const git = new GitRepo(repo.dir, repo.env);
  const seen: Seen[] = [];
  const headers: string[] = [];
  try {
    await git.diffCommits(commits, {
      commit: (oid) => { headers.push(oid); },
      path: (record: DiffRecord) => { seen.push({ commit: record.commit, path: record.pathBytes, mode: record.mode, oid: record.oid() }); },
    });
  } finally {
    git.close();
  }
  expect(headers).toEqual(commits);
  const expected = commits.flatMap(reference);
  expect(expected.length).toBeGreaterThan(3000);
  expect(seen).toEqual(expected);
  // The cases are really there.
  expect(seen.some((item) => item.path === 'bin/latin-\xe9-\xff.txt')).toBe(true);
  expect(seen.some((item) => item.mode === 0o120000)).toBe(true);
  expect(seen.some((item) => item.mode === 0o160000)).toBe(true);
  expect(seen.some((item) => item.mode === 0 && /^0+$/.test(item.oid))).toBe(true);
  expect(seen.some((item) => item.commit === commits[commits.length - 1] && item.path === 'both.txt')).toBe(true);
});

test('asynchronous verdicts: all awaited, and one that fails rejects the stream', async () => {
  const git = new GitRepo(repo.dir, repo.env);
  try {
    let settled = 0;
    let count = 0;
    await git.diffCommits(commits, {
      commit: () => undefined,
      path: () => {
        count += 1;
        if (count % 7 !== 0) return undefined;
        return new Promise<void>((resolve) => setTimeout(() => { settled += 1; resolve(); }, 1));
      },
    });
    expect(settled).toBe(Math.floor(count / 7));
    await expect(git.diffCommits(commits, {
      commit: () => undefined,
      path: (record) => (record.pathBytes.endsWith('file-2000-' + 'x'.repeat(0) + '.txt') ? Promise.reject(new Error('verdict failed')) : undefined),
    })).rejects.toThrow('verdict failed');
  } finally {
    git.close();
  }
});
