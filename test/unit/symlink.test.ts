/**
 * gate/symlink.ts against a real repository read through a real `git cat-file --batch`: every link
 * of one commit resolved, every expectation written by hand (the differential test checks the
 * same resolver against git and the kernel on generated layouts).
 */
import { join } from 'path';
import { gitSync } from '../../git/run';
import { GitRepo } from '../../git/repo';
import { initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { listTreePaths, resolveLinkTarget, targetInScope, type Resolution } from '../../gate/symlink';
import { matchPathspecs, parsePathspecs } from '../../policy/pathspec';

let root: string;
let repo: Repo;
let git: GitRepo;
let tree: string;

/** A symlink whose target no file system would let us create: its blob written directly into the index. */
function rawLink(path: string, target: Buffer | string): void {
  const oid = gitSync(['hash-object', '-w', '--stdin'], { cwd: repo.dir, env: repo.env, input: target }).stdout.toString().trim();
  repo.git(['update-index', '--add', '--cacheinfo', `120000,${oid},${path}`]);
}

beforeAll(() => {
  root = tempDir('coord-symlink-');
  repo = initRepo(join(root, 'repo'), isolatedEnv(join(root, 'home')));
  repo.write('fw/file', 'f\n').write('fw/sub/x', 'x\n').write('pm/secret', 's\n').write('pm/deep/f', 'd\n');
  repo.symlink('top', 'fw/file');
  repo.symlink('fw/sub/up', '..');
  repo.symlink('fw/in', 'file');
  repo.symlink('fw/dot', './/file');
  repo.symlink('fw/tsub', 'sub/');
  repo.symlink('fw/out', '../pm/secret');
  repo.symlink('fw/a', '../pm/deep');
  repo.symlink('fw/after', 'a/../secret');
  repo.symlink('fw/after2', 'a/../../x');
  repo.symlink('fw/after3', 'a/../../../x');
  repo.symlink('fw/upx', 'sub/up/sub/x');
  repo.symlink('fw/c1', 'c2').symlink('fw/c2', 'sub/c3').symlink('fw/sub/c3', '../file');
  repo.symlink('fw/loop1', 'loop2').symlink('fw/loop2', 'loop1').symlink('fw/self', 'self');
  for (let i = 1; i <= 40; i += 1) repo.symlink(`fw/chain/l${i}`, i === 40 ? '../file' : `l${i + 1}`);
  repo.symlink('fw/chain/l0', 'l1');
  repo.symlink('fw/dang', 'nope/x');
  repo.symlink('fw/dang2', 'nope/../../pm/x');
  repo.symlink('fw/dang3', 'nope/../../../x');
  repo.symlink('fw/dang4', 'nope/../a/f');
  repo.symlink('fw/esc', '../../x');
  repo.symlink('fw/through', 'esc/y');
  repo.symlink('fw/nd', 'file/x').symlink('fw/ndslash', 'file/').symlink('fw/nddot', 'in/.');
  repo.symlink('fw/root', '..');
  repo.symlink('fw/abs', '/etc/passwd');
  repo.symlink('fw/bs', '..\\pm\\secret');
  repo.symlink('fw/drive', 'C:/x').symlink('fw/drive2', 'c:x').symlink('fw/stream', 'sub::$INDEX_ALLOCATION/x');
  repo.symlink('fw/dots', '.. /pm').symlink('fw/dots3', '.../x').symlink('fw/short', 'SUBDIR~1/x');
  repo.symlink('fw/case', 'Sub/x').symlink('fw/trail', 'sub./x');
  repo.symlink('fw/absmid', '/etc').symlink('fw/viaabs', 'absmid/passwd');
  repo.symlink('fw/dangling', 'nope').symlink('fw/pastdangling', 'dangling/../x');
  repo.git(['add', '-A']);
  rawLink('fw/nul', Buffer.from('file\0../../x'));
  rawLink('fw/empty', '');
  rawLink('fw/latin1', Buffer.from([0x66, 0xe9]));
  repo.git(['update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},fw/mod`]);
  repo.symlink('fw/tomod', 'mod').symlink('fw/intomod', 'mod/x');
  repo.git(['add', 'fw/tomod', 'fw/intomod']);
  repo.git(['commit', '-q', '--no-verify', '-m', 'links']);
  git = new GitRepo(repo.dir, repo.env);
  tree = repo.rev('HEAD^{tree}');
});

afterAll(() => {
  git?.close();
  removeDir(root);
});

const readTree = (oid: string) => git.objects().readTree(oid);
const readLink = async (oid: string) => (await git.objects().read(oid))?.content ?? null;

async function resolve(path: string): Promise<Resolution> {
  const object = await git.objects().read(`HEAD:${path}`);
  if (!object) throw new Error(`no ${path} in HEAD`);
  return resolveLinkTarget(readTree, readLink, tree, path, object.content);
}

const inside = (path: string, type: string) => ({ kind: 'inside', path, type });
const escape = (reason: RegExp) => ({ kind: 'escape', reason: expect.stringMatching(reason) });

test.each([
  ['top', inside('fw/file', 'blob')],
  ['fw/sub/up', inside('fw', 'tree')],
  ['fw/in', inside('fw/file', 'blob')],
  ['fw/dot', inside('fw/file', 'blob')],
  ['fw/tsub', inside('fw/sub', 'tree')],
  ['fw/out', inside('pm/secret', 'blob')],
  ['fw/a', inside('pm/deep', 'tree')],
  // `..` after a link leaves the directory the link led to, not the link's (lexically: fw/secret).
  ['fw/after', inside('pm/secret', 'blob')],
  ['fw/after2', inside('x', 'missing')],
  ['fw/after3', escape(/^leaves the repository$/)],
  ['fw/upx', inside('fw/sub/x', 'blob')],
  ['fw/c1', inside('fw/file', 'blob')],
  ['fw/loop1', escape(/^symlink loop/)],
  ['fw/self', escape(/^symlink loop/)],
  ['fw/chain/l1', inside('fw/file', 'blob')], // 40 links: the limit
  ['fw/chain/l0', escape(/^symlink loop/)], // 41
  ['fw/dang', inside('fw/nope/x', 'missing')],
  ['fw/dang2', inside('pm/x', 'missing')],
  ['fw/dang3', escape(/^leaves the repository$/)],
  // Lexical past the missing directory, then through the tree again: fw/a is followed.
  ['fw/dang4', inside('pm/deep/f', 'missing')],
  ['fw/esc', escape(/^leaves the repository$/)],
  ['fw/through', escape(/^leaves the repository$/)],
  ['fw/nd', escape(/passes through a file: "fw\/file" is not a directory/)],
  ['fw/ndslash', escape(/passes through a file/)],
  ['fw/nddot', escape(/passes through a file/)],
  ['fw/root', inside('', 'tree')],
  ['fw/abs', escape(/^absolute target/)],
  ['fw/bs', escape(/backslash/)],
  ['fw/drive', escape(/drive prefix/)],
  ['fw/drive2', escape(/drive prefix/)],
  ['fw/stream', escape(/NTFS stream/)],
  ['fw/dots', escape(/"\.\. " is read as "\." or "\.\." on Windows/)],
  ['fw/dots3', escape(/"\.\.\." is read as/)],
  ['fw/short', escape(/NTFS short/)],
  ['fw/case', escape(/"fw\/Sub" can name "sub" on case-insensitive/)],
  ['fw/trail', escape(/"fw\/sub\." can name "sub"/)],
  ['fw/nul', escape(/NUL/)],
  ['fw/empty', escape(/^empty target$/)],
  ['fw/latin1', escape(/not valid UTF-8/)],
  // A problem in a link followed on the way names that link.
  ['fw/viaabs', escape(/^absolute target \(starts with "\/"\), in "fw\/absmid"$/)],
  // fw/dangling -> nope (missing): its `..` is lexical, back to fw.
  ['fw/pastdangling', inside('fw/x', 'missing')],
  ['fw/tomod', inside('fw/mod', 'gitlink')],
  ['fw/intomod', escape(/passes through a submodule: "fw\/mod"/)],
])('%s', async (path, expected) => {
  expect(await resolve(path)).toEqual(expected);
});

describe('targetInScope', () => {
  const fwScope = parsePathspecs(['fw/']);
  const inFw = (path: string) => matchPathspecs(fwScope, path).matched;
  const listUnder = (dir: string) => listTreePaths(readTree, tree, dir);
  const judge = async (path: string, inScope = inFw) => targetInScope(await resolve(path), inScope, listUnder);

  test('a link to the team\'s own directory is inside', async () => {
    expect(await judge('fw/sub/up')).toEqual({ inside: true });
  });

  test('files and places not written yet are inside when their path is', async () => {
    expect(await judge('fw/in')).toEqual({ inside: true });
    expect(await judge('fw/dang')).toEqual({ inside: true });
    expect(await judge('fw/out')).toEqual({ inside: false, reason: 'leads to "pm/secret", outside the scope' });
    expect(await judge('fw/after')).toEqual({ inside: false, reason: 'leads to "pm/secret", outside the scope' });
    expect(await judge('fw/dang2')).toEqual({ inside: false, reason: 'leads to "pm/x", outside the scope' });
  });

  test('the repository root and escapes never are', async () => {
    expect(await judge('fw/root', () => true)).toEqual({ inside: false, reason: 'leads to the repository root' });
    expect(await judge('fw/abs', () => true)).toEqual({ inside: false, reason: 'absolute target (starts with "/")' });
  });

  test('a directory must be covered as a whole: new names and everything already in it', async () => {
    expect(await judge('fw/tsub')).toEqual({ inside: true });
    const onlyX = parsePathspecs(['fw/sub/x']);
    expect(await judge('fw/tsub', (path) => matchPathspecs(onlyX, path).matched))
      .toEqual({ inside: false, reason: 'leads to the directory "fw/sub", not wholly in the scope' });
    const notUp = parsePathspecs(['fw/', ':!fw/sub/up']);
    expect(await judge('fw/tsub', (path) => matchPathspecs(notUp, path).matched))
      .toEqual({ inside: false, reason: 'leads to the directory "fw/sub", which holds "fw/sub/up" outside the scope' });
    expect(await judge('fw/a')).toEqual({ inside: false, reason: 'leads to the directory "pm/deep", not wholly in the scope' });
  });

  test('a submodule counts as a directory', async () => {
    expect(await judge('fw/tomod')).toEqual({ inside: true });
    expect(await judge('fw/tomod', (path) => path === 'fw/mod')).toEqual({ inside: false, reason: 'leads to the directory "fw/mod", not wholly in the scope' });
  });

  test('listTreePaths lists everything below a directory, and nothing for a non-directory', async () => {
    expect(await listTreePaths(readTree, tree, 'fw/sub')).toEqual(['fw/sub/c3', 'fw/sub/up', 'fw/sub/x']);
    expect(await listTreePaths(readTree, tree, 'fw/file')).toEqual([]);
    expect(await listTreePaths(readTree, tree, 'nope/x')).toEqual([]);
    expect((await listTreePaths(readTree, tree, '')).length).toBeGreaterThan(50);
  });
});
