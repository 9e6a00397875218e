/**
 * Red team: symlinks are resolved like a file system, through the commit's resulting tree, following
 * links (chains, `..` after a link), not by normalising the target text. Every link below is a real
 * symlink committed from a work tree; most are lexically inside fw/ and leave it only when resolved.
 * The architect's main carries `fw/sub -> ../pm/a` (the architect may write anywhere) and a second
 * directory under experiments/ (fw's scope covers experiments/x/ only).
 */
import type { Repo } from '../../fixtures/repo';
import { makeSetup, push, type Setup } from '../../fixtures/server';
import { FRAGMENT, expectAccepted, expectRejected } from '../../fixtures/redteam';

let setup: Setup;
let fw: Repo;

beforeAll(async () => {
  setup = await makeSetup();
  const architect = setup.architect;
  architect.symlink('fw/sub', '../pm/a');
  architect.commit('architect: a link from fw into pm, and two experiment directories', {
    'pm/a/file.txt': 'pm data\n', 'experiments/x/run.sh': 'echo x\n', 'experiments/y/secret.txt': 'not fw\n',
  });
  const pushed = push(architect, ['main']);
  if (pushed.code !== 0) throw new Error(pushed.output);
  fw = setup.clone('fw');
});

/** Commits the links (path → target) on a fresh fw branch; returns the branch. */
function withLinks(links: Record<string, string>, files: Record<string, string> = {}): string {
  const branch = fw.freshBranch('fw/sym');
  for (const [path, target] of Object.entries(links)) fw.symlink(path, target);
  fw.commit('links', files);
  for (const [path, target] of Object.entries(links)) {
    expect(fw.git(['ls-tree', 'HEAD', path])).toMatch(/^120000 blob /);
    expect(fw.git(['cat-file', 'blob', `HEAD:${path}`])).toBe(target);
  }
  return branch;
}

const rejected = (links: Record<string, string>, fragmentPath: string) =>
  expectRejected(setup, fw, [withLinks(links)], fragmentPath);

describe('links that leave fw/ when resolved', () => {
  test('a chain: fw/chain-a -> chain-b, fw/chain-b -> ../pm/x', () => {
    rejected({ 'fw/chain-a': 'chain-b', 'fw/chain-b': '../pm/x' }, FRAGMENT.linkChain);
  });

  test('".." after a link to fw itself: fw/here -> ., fw/dotdot-escape -> here/../shared/config.txt (lexically fw/shared/...)', () => {
    rejected({ 'fw/here': '.', 'fw/dotdot-escape': 'here/../shared/config.txt' }, FRAGMENT.linkDotDotAfterLink);
  });

  test('".." after the architect\'s link fw/sub -> ../pm/a: fw/through-sub -> sub/../z (lexically fw/z, really pm/z)', () => {
    expect(fw.git(['cat-file', 'blob', 'origin/main:fw/sub'])).toBe('../pm/a');
    rejected({ 'fw/through-sub': 'sub/../z' }, FRAGMENT.linkThroughArchitectLink);
  });

  test('into the architect\'s link: fw/into-sub -> sub/file.txt (lexically fw/sub/file.txt, really pm/a/file.txt)', () => {
    rejected({ 'fw/into-sub': 'sub/file.txt' }, FRAGMENT.linkIntoArchitectLink);
  });

  test('a loop that never leaves fw/: fw/loop-1 -> loop-2, fw/loop-2 -> loop-1', () => {
    rejected({ 'fw/loop-1': 'loop-2', 'fw/loop-2': 'loop-1' }, FRAGMENT.linkLoop);
  });

  test('a link to itself: fw/self-loop -> self-loop', () => {
    rejected({ 'fw/self-loop': 'self-loop' }, FRAGMENT.linkSelfLoop);
  });

  test('a chain longer than 40 hops, all inside fw/', () => {
    const links: Record<string, string> = {};
    for (let i = 0; i < 45; i += 1) links[`fw/hop-${String(i).padStart(2, '0')}`] = i === 44 ? 'README.md' : `hop-${String(i + 1).padStart(2, '0')}`;
    rejected(links, FRAGMENT.linkTooManyHops);
  });

  test('backslashes: fw/backslash -> ..\\pm\\x (one file name on POSIX, a path on Windows)', () => {
    rejected({ 'fw/backslash': '..\\pm\\x' }, FRAGMENT.linkBackslash);
  });

  test('an absolute target naming fw/ itself: fw/abs-inside -> /fw/README.md', () => {
    rejected({ 'fw/abs-inside': '/fw/README.md' }, FRAGMENT.linkAbsolute);
  });

  test('a drive letter: fw/drive -> C:/x', () => {
    rejected({ 'fw/drive': 'C:/x' }, FRAGMENT.linkDriveLetter);
  });

  test('a target with "...": fw/triple-dot -> .../pm/x', () => {
    rejected({ 'fw/triple-dot': '.../pm/x' }, FRAGMENT.linkTripleDot);
  });

  test('the repository root: fw/to-root -> ..', () => {
    rejected({ 'fw/to-root': '..' }, FRAGMENT.linkRoot);
  });

  test('a directory only partly in the scope: fw/exp-dir -> ../experiments (experiments/y is not fw\'s)', () => {
    rejected({ 'fw/exp-dir': '../experiments' }, FRAGMENT.linkPartlyInScopeDir);
  });
});

describe('legitimate links', () => {
  const accepted = (links: Record<string, string>, files: Record<string, string> = {}) => {
    const branch = withLinks(links, files);
    expectAccepted(setup, fw, [branch], { [`refs/heads/${branch}`]: fw.head() });
  };

  test('fw/legit/up -> .. (points at fw itself)', () => accepted({ 'fw/legit/up': '..' }, { 'fw/legit/file.txt': 'x\n' }));
  test('fw/la -> lb with fw/lb a regular file', () => accepted({ 'fw/la': 'lb' }, { 'fw/lb': 'b\n' }));
  test('a chain inside fw/: fw/c1 -> c2 -> README.md', () => accepted({ 'fw/c1': 'c2', 'fw/c2': 'README.md' }));
  test('a link to a directory inside fw/: fw/ldir -> docs', () => accepted({ 'fw/ldir': 'docs' }, { 'fw/docs/a.txt': 'a\n' }));
  test('a link to a directory wholly in the scope: fw/lexp -> ../experiments/x', () => accepted({ 'fw/lexp': '../experiments/x' }));
});
