/**
 * Tree objects judged like `git fsck`. Every malformed tree is written byte for byte by real git
 * (`hash-object -t tree --literally`), and git is the oracle: the checker must flag what `git fsck
 * --strict` flags, and leave alone what git itself writes.
 */
import { join } from 'path';
import { checkTreeObject, findMalformedTrees, parseTreeObject, quoteName, type TreeCheck } from '../../gate/tree-check';
import { GitRepo } from '../../git/repo';
import { gitSync } from '../../git/run';
import { initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';

let root: string;
let repo: Repo;
let blob: string;
let emptyTree: string;
let linkTarget: string;

beforeAll(() => {
  root = tempDir('coord-tree-check-');
  repo = initRepo(join(root, 'repo'), isolatedEnv(join(root, 'home')));
  blob = repo.git(['hash-object', '-w', '--stdin'], 'content\n');
  linkTarget = repo.git(['hash-object', '-w', '--stdin'], 'somewhere/else');
  emptyTree = repo.git(['mktree'], '');
});

afterAll(() => removeDir(root));

/** One raw tree entry: `<mode> <name>\0<oid bytes>`. */
function entry(mode: string, name: string | Buffer, oid: string): Buffer {
  return Buffer.concat([Buffer.from(`${mode} `), typeof name === 'string' ? Buffer.from(name, 'utf8') : name, Buffer.from([0]), Buffer.from(oid, 'hex')]);
}

const file = (name: string | Buffer, mode = '100644') => entry(mode, name, blob);
const dir = (name: string | Buffer, mode = '40000') => entry(mode, name, emptyTree);
const link = (name: string | Buffer, target = linkTarget) => entry('120000', name, target);

/** Writes the bytes as a tree object in `into` (no checks: --literally) and returns its id. */
function writeTree(raw: Buffer, into: Repo = repo): string {
  return gitSync(['hash-object', '-t', 'tree', '--literally', '-w', '--stdin'], { cwd: into.dir, env: into.env, input: raw }).stdout.toString('utf8').trim();
}

/** A repository holding the blob and trees the crafted entries point at, and nothing else. */
function oracleRepo(name: string): Repo {
  const alone = initRepo(join(root, name), repo.env);
  alone.git(['hash-object', '-w', '--stdin'], 'content\n');
  alone.git(['hash-object', '-w', '--stdin'], 'somewhere/else');
  alone.git(['mktree'], '');
  return alone;
}

/** What `git fsck --strict` prints (complaints only) for a repository. */
function fsckLines(into: Repo): string[] {
  const result = into.tryGit(['fsck', '--strict', '--no-dangling', '--no-progress']);
  return complaints(`${result.stdout.toString('utf8')}${result.stderr}`);
}

/** fsck's output without the hints git adds (GIT_GRAFT_FILE, set for every call, earns a deprecation hint) and its notices. */
const complaints = (output: string) => output.split('\n').filter((line) => line.trim() && !/^(hint|notice):/.test(line));

interface Case {
  title: string;
  raw: () => Buffer;
  ours: TreeCheck;
  fsck: string;
}

const cat = (...parts: Buffer[]) => Buffer.concat(parts);

const MALFORMED: Case[] = [
  { title: 'an empty name', raw: () => cat(file(''), file('b')), ours: 'emptyName', fsck: 'badTree' },
  { title: "an entry named '.'", raw: () => cat(dir('.'), file('a')), ours: 'hasDot', fsck: 'hasDot' },
  { title: "an entry named '..'", raw: () => cat(dir('..'), file('a')), ours: 'hasDotdot', fsck: 'hasDotdot' },
  { title: "'.git'", raw: () => file('.git'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "'.GIT' (a directory)", raw: () => dir('.GIT'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "'.Git'", raw: () => file('.Git'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: '.git.'", raw: () => dir('.git.'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: '.git ' (trailing space)", raw: () => dir('.git '), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: '.git . .'", raw: () => dir('.git . .'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: 'git~1'", raw: () => dir('git~1'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: 'GIT~1'", raw: () => dir('GIT~1'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: '.git::$INDEX_ALLOCATION' (a stream)", raw: () => dir('.git::$INDEX_ALLOCATION'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: '.git:x'", raw: () => file('.git:x'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "NTFS: 'a\\.git' (backslash is a separator)", raw: () => dir('a\\.git'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: 'HFS: .g<U+200C>it', raw: () => dir('.g\u200cit'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: 'HFS: <U+200E>.git', raw: () => dir('\u200e.git'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: 'HFS: .GI<U+202E>T', raw: () => dir('.GI\u202eT'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: 'HFS: .gi<U+206A>t', raw: () => dir('.gi\u206at'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: 'HFS: .git<U+FEFF>', raw: () => dir('.git\ufeff'), ours: 'hasDotgit', fsck: 'hasDotgit' },
  { title: "a name with '/'", raw: () => file('a/b'), ours: 'fullPathname', fsck: 'fullPathname' },
  { title: 'two blobs named a', raw: () => cat(file('a'), file('a')), ours: 'duplicateEntries', fsck: 'duplicateEntries' },
  { title: 'a blob a and a tree a', raw: () => cat(file('a'), dir('a')), ours: 'duplicateEntries', fsck: 'duplicateEntries' },
  { title: 'a blob a and a tree a, apart (a, a.b, a/)', raw: () => cat(file('a'), file('a.b'), dir('a')), ours: 'duplicateEntries', fsck: 'duplicateEntries' },
  { title: 'b before a', raw: () => cat(file('b'), file('a')), ours: 'treeNotSorted', fsck: 'treeNotSorted' },
  { title: 'the tree a before the blob a-b (a tree sorts as a/)', raw: () => cat(dir('a'), file('a-b')), ours: 'treeNotSorted', fsck: 'treeNotSorted' },
  { title: 'the blob a0 before the tree a', raw: () => cat(file('a0'), dir('a')), ours: 'treeNotSorted', fsck: 'treeNotSorted' },
  { title: 'the mode 100664', raw: () => file('a', '100664'), ours: 'badFilemode', fsck: 'badFilemode' },
  { title: 'the mode 100600', raw: () => file('a', '100600'), ours: 'badFilemode', fsck: 'badFilemode' },
  { title: 'a zero-padded tree mode 040000', raw: () => dir('a', '040000'), ours: 'zeroPaddedFilemode', fsck: 'zeroPaddedFilemode' },
  { title: 'a zero-padded blob mode 0100644', raw: () => file('a', '0100644'), ours: 'zeroPaddedFilemode', fsck: 'zeroPaddedFilemode' },
  { title: 'the null object id', raw: () => entry('100644', 'a', '0'.repeat(40)), ours: 'nullSha1', fsck: 'nullSha1' },
  { title: '.gitmodules as a symlink', raw: () => link('.gitmodules'), ours: 'gitmodulesSymlink', fsck: 'gitmodulesSymlink' },
  { title: '.GitModules. as a symlink (NTFS)', raw: () => link('.GitModules.'), ours: 'gitmodulesSymlink', fsck: 'gitmodulesSymlink' },
  { title: 'gitmod~1 as a symlink (NTFS short name)', raw: () => link('gitmod~1'), ours: 'gitmodulesSymlink', fsck: 'gitmodulesSymlink' },
  { title: 'gi7eba~3 as a symlink (NTFS hashed short name)', raw: () => link('gi7eba~3'), ours: 'gitmodulesSymlink', fsck: 'gitmodulesSymlink' },
  { title: '.git<U+200D>modules as a symlink (HFS)', raw: () => link('.git\u200dmodules'), ours: 'gitmodulesSymlink', fsck: 'gitmodulesSymlink' },
  { title: 'x\\.gitmodules as a symlink', raw: () => link('x\\.gitmodules'), ours: 'gitmodulesSymlink', fsck: 'gitmodulesSymlink' },
  { title: '.gitattributes as a symlink', raw: () => link('.gitattributes'), ours: 'gitattributesSymlink', fsck: 'gitattributesSymlink' },
  { title: '.gitignore as a symlink', raw: () => link('.gitignore'), ours: 'gitignoreSymlink', fsck: 'gitignoreSymlink' },
  { title: '.mailmap as a symlink', raw: () => link('.mailmap'), ours: 'mailmapSymlink', fsck: 'mailmapSymlink' },
  { title: 'a name with no end (cut short)', raw: () => cat(file('a'), Buffer.from('100644 b')), ours: 'badTree', fsck: 'badTree' },
  { title: 'a mode that is not octal', raw: () => file('a', '10064x'), ours: 'badTree', fsck: 'badTree' },
];

describe('checkTreeObject flags what git fsck flags', () => {
  // Every malformed tree goes into one repository, and git fsck runs once over all of them.
  let said: string[];
  beforeAll(() => {
    const oracle = oracleRepo('oracle');
    for (const { raw } of MALFORMED) writeTree(raw(), oracle);
    said = fsckLines(oracle);
  });

  test.each(MALFORMED)('$title', ({ raw, ours, fsck }) => {
    const bytes = raw();
    const oid = writeTree(bytes);
    const problems = checkTreeObject(bytes);
    expect(problems.map((problem) => problem.check)).toContain(ours);
    for (const problem of problems) {
      expect(problem.tree).toBe(oid);
      expect(problem.message).toContain(`the tree ${oid}`);
      expect(problem.message).toMatch(/git refuses such trees \(fsck: \w+\); \w/);
    }
    expect(said.filter((line) => line.includes(`tree ${oid}: ${fsck}:`))).toHaveLength(1);
  });

  test("the message names the entry and the fix: '..'", () => {
    const [problem] = checkTreeObject(cat(dir('..'), file('a')));
    expect(problem).toMatchObject({ check: 'hasDotdot', entry: "'..'" });
    expect(problem.message).toMatch(/^the tree [0-9a-f]{40} has an entry named '\.\.': git refuses such trees \(fsck: hasDotdot\); rewrite the commit/);
  });

  test('invisible code points are shown escaped', () => {
    expect(quoteName(Buffer.from('.g\u200cit'))).toBe("'.g\\u{200c}it'");
    expect(quoteName(Buffer.from([0x61, 0xff, 0x0a]))).toBe("'a\\xff\\x0a'");
    expect(quoteName(Buffer.from('café'))).toBe("'café'");
  });
});

describe('what git writes is not flagged', () => {
  test('real commits with look-alike names, Unicode, links, executables, a submodule', () => {
    const work = initRepo(join(root, 'wellformed'), repo.env);
    const names = ['.github/workflows/ci.yml', '.gitx', 'a.git', 'x.git.y', '..a', '...', '.git-foo', '.gitfoo/x', 'git~2', 'gitmod~1', 'gi7eba~5x',
      'a-b', 'a.b', 'a/x', 'a0', 'café.txt', '日本語/ファイル', 'emoji-😀', 'a\u200cb', '.gitmodules-not', 'dir with space/f', 'A', 'b\\c'];
    // gitmod~1 is .gitmodules on NTFS: fsck reads it as one, so it holds valid (empty) configuration.
    for (const name of names) work.write(name, name === 'gitmod~1' ? '' : `${name}\n`);
    work.write('run.sh', '#!/bin/sh\n', 0o755);
    work.symlink('link', 'a/x');
    work.symlink('.gitignore-link', '.gitignore');
    work.write('.gitignore', 'node_modules\n').write('.gitattributes', '* text=auto\n').write('.mailmap', 'A <a@b>\n');
    work.commit('look-alikes');
    const commit = work.commit('second', { 'a/y': 'y\n' });
    const sub = work.git(['mktree'], `160000 commit ${commit}\tsubmodule\n100644 blob ${work.rev('HEAD:a0')}\tz\n`);
    const trees = work.git(['rev-list', '--objects', '--no-object-names', '--filter=object:type=tree', '--filter-provided-objects', 'HEAD']).split('\n');
    trees.push(sub);
    expect(trees.length).toBeGreaterThan(5);
    for (const oid of trees) {
      const raw = gitSync(['cat-file', 'tree', oid], { cwd: work.dir, env: work.env }).stdout;
      expect(parseTreeObject(raw).error).toBeUndefined();
      expect(checkTreeObject(raw)).toEqual([]);
    }
    const fsck = work.tryGit(['fsck', '--strict', '--no-dangling', '--no-progress']);
    expect(complaints(`${fsck.stdout.toString('utf8')}${fsck.stderr}`)).toEqual([]);
  });

  test('crafted but well-formed: sorted look-alikes that fsck accepts', () => {
    const raw = cat(file('..a'), file('.git-x'), file('.gitmodules'), dir('.gitx'), file('a-b'), file('a.b'), dir('a'), file('a0'),
      link('gitmod~1x'), file('git~1x'), dir('\u200c'));
    expect(checkTreeObject(raw)).toEqual([]);
    const oracle = oracleRepo('oracle-clean');
    writeTree(raw, oracle);
    expect(fsckLines(oracle)).toEqual([]);
  });
});

describe('findMalformedTrees', () => {
  let gitRepo: GitRepo;
  beforeAll(() => { gitRepo = new GitRepo(repo.dir, repo.env); });
  afterAll(() => gitRepo.close());

  function commitTree(tree: string, parents: string[] = []): string {
    return repo.git(['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent]), '-m', 'crafted']);
  }

  test('finds a malformed tree only while it is new, with where it sits', async () => {
    const bad = writeTree(cat(dir('..'), file('a')));
    const deeper = writeTree(cat(entry('40000', 'deeper', bad), file('f')));
    const top = writeTree(cat(file('README'), entry('40000', 'sub', deeper)));
    const commit = commitTree(top);
    const problems = await findMalformedTrees(gitRepo, [commit]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ tree: bad, path: 'sub/deeper', check: 'hasDotdot', entry: "'..'" });
    expect(problems[0].message).toContain(`the tree ${bad} (at 'sub/deeper') has an entry named '..'`);
    // Through an annotated tag too.
    const tag = repo.git(['mktag'], `object ${commit}\ntype commit\ntag t\ntagger T <t@example.invalid> 1700000000 +0000\n\nt\n`);
    expect((await findMalformedTrees(gitRepo, [tag])).map((problem) => problem.tree)).toEqual([bad]);
    // Once a ref reaches it, it is not new: nothing to judge.
    repo.git(['update-ref', 'refs/heads/old', commit]);
    expect(await findMalformedTrees(gitRepo, [commit])).toEqual([]);
    const child = commitTree(top, [commit]);
    expect(await findMalformedTrees(gitRepo, [child])).toEqual([]);
    repo.git(['update-ref', '-d', 'refs/heads/old']);
    expect(await findMalformedTrees(gitRepo, [child])).toHaveLength(1);
  });

  test('a symlink whose target holds a NUL (git fsck 2.39 does not look)', async () => {
    const target = gitSync(['hash-object', '-w', '--stdin'], { cwd: repo.dir, env: repo.env, input: Buffer.from('ok\0/etc/passwd') }).stdout.toString('utf8').trim();
    const tree = writeTree(cat(link('evil', target), link('fine')));
    const commit = commitTree(tree);
    const problems = await findMalformedTrees(gitRepo, [commit]);
    expect(problems).toEqual([expect.objectContaining({ tree, path: '', check: 'symlinkTargetNul', entry: "'evil'" })]);
    expect(problems[0].message).toContain('(the top of a commit) has a symbolic link \'evil\' whose target contains a NUL byte');
  });

  test('well-formed new trees, deletions and no tips: nothing', async () => {
    const tree = writeTree(cat(file('a'), link('b')));
    expect(await findMalformedTrees(gitRepo, [commitTree(tree)])).toEqual([]);
    expect(await findMalformedTrees(gitRepo, ['0'.repeat(40)])).toEqual([]);
    expect(await findMalformedTrees(gitRepo, [])).toEqual([]);
  });

  test('newTrees lists the trees a tip brings and no commits or tags', async () => {
    const inner = writeTree(file('x'));
    const top = writeTree(cat(entry('40000', 'd', inner), file('y')));
    const commit = commitTree(top);
    expect((await gitRepo.newTrees([commit])).sort()).toEqual([inner, top].sort());
    expect(await gitRepo.newTrees([top])).toEqual(expect.arrayContaining([top, inner]));
    await expect(gitRepo.newTrees(['--all'])).rejects.toThrow(/not a revision/);
  });
});
