/**
 * Red team: malformed tree objects. makeSetup leaves receive.fsckObjects OFF, so git itself lets these
 * in and the gate must refuse every new tree git fsck would refuse, for every pusher, the architect
 * included. Each tree is written byte for byte (git hash-object -t tree --literally) and pushed as a
 * raw commit id; the crafted bytes are checked in the clone before the push.
 */
import type { Repo } from '../../fixtures/repo';
import { makeSetup, push, snapshot, type Setup } from '../../fixtures/server';
import {
  FRAGMENT, commitTree, commitWith, editTree, expectRejected, fetched, file, link, readTree, treeBytes, writeBlob, writeTree, type Entry,
} from '../../fixtures/redteam';

let setup: Setup;
let fw: Repo;
let main: string;
let n = 0;

beforeAll(async () => {
  setup = await makeSetup();
  fw = setup.clone('fw');
  main = fetched(fw, 'origin/main');
});

const nextBranch = () => `refs/heads/fw/tree-${++n}`;

/** Pushes a commit on main whose fw/ directory also holds `entries`; the raw fw tree must contain `name`. */
function attackInFw(entries: Entry[], fragment: string, options: { sort?: boolean } = {}): void {
  const commit = commitWith(fw, main, 'fw', entries, options);
  const raw = treeBytes(fw, `${commit}:fw`);
  for (const entry of entries) expect(raw.includes(Buffer.concat([Buffer.from(' '), typeof entry.name === 'string' ? Buffer.from(entry.name) : entry.name, Buffer.from([0])]))).toBe(true);
  expectRejected(setup, fw, [`${commit}:${nextBranch()}`], fragment);
}

const smallTree = () => writeTree(fw, [file(fw, 'x.txt', 'x\n')]);

describe('names git fsck refuses, inside the team directory', () => {
  test('an entry named ".."', () => attackInFw([{ mode: '40000', name: '..', oid: smallTree() }], FRAGMENT.treeDotDot));
  test('an entry named "."', () => attackInFw([{ mode: '40000', name: '.', oid: smallTree() }], FRAGMENT.treeDot));
  test('an entry named ".git" (a hooks directory)', () => {
    const hooks = writeTree(fw, [{ mode: '40000', name: 'hooks', oid: writeTree(fw, [file(fw, 'post-checkout', '#!/bin/sh\necho pwned\n', '100755')]) }]);
    attackInFw([{ mode: '40000', name: '.git', oid: hooks }], FRAGMENT.treeDotGit);
  });
  test('an entry named ".GIT"', () => attackInFw([{ mode: '40000', name: '.GIT', oid: smallTree() }], FRAGMENT.treeDotGitUpper));
  test('an entry named "git~1" (the NTFS short name of .git)', () => attackInFw([{ mode: '40000', name: 'git~1', oid: smallTree() }], FRAGMENT.treeGitTilde));
  test('an entry named ".git." (NTFS drops the trailing dot)', () => attackInFw([{ mode: '40000', name: '.git.', oid: smallTree() }], FRAGMENT.treeDotGitDot));
  test('an entry named ".git " (NTFS drops the trailing space)', () => attackInFw([{ mode: '40000', name: '.git ', oid: smallTree() }], FRAGMENT.treeDotGitSpace));
  test('an entry named ".g\\u200cit" (HFS+ ignores the zero-width non-joiner)', () => attackInFw([{ mode: '40000', name: '.g\u200cit', oid: smallTree() }], FRAGMENT.treeDotGitHfs));
  test('an entry "../pm/x" inside fw/ (a name containing "/")', () => attackInFw([file(fw, '../pm/x', 'lands in pm on checkout\n')], FRAGMENT.treeSlashInName));
});

describe('structure git fsck refuses', () => {
  test('a root entry named "pm/x" (looks like another team\'s path, sits in no directory)', () => {
    const commit = commitWith(fw, main, '', [file(fw, 'pm/x', 'x\n')]);
    expect(treeBytes(fw, `${commit}^{tree}`).includes(Buffer.from(' pm/x\0'))).toBe(true);
    expectRejected(setup, fw, [`${commit}:${nextBranch()}`], FRAGMENT.treeSlashInName);
  });

  test('a root entry named "fw/x" (looks in scope, sits in no directory)', () => {
    const commit = commitWith(fw, main, '', [file(fw, 'fw/x', 'x\n')]);
    expect(treeBytes(fw, `${commit}^{tree}`).includes(Buffer.from(' fw/x\0'))).toBe(true);
    expectRejected(setup, fw, [`${commit}:${nextBranch()}`], FRAGMENT.treeSlashInName);
  });

  test('two "fw" trees in the root: the second one carries a policy file', () => {
    const root = readTree(fw, main);
    const evil = editTree(fw, main, 'fw', (entries) => [...entries.filter((entry) => entry.name !== 'CLAUDE.md'), file(fw, 'CLAUDE.md', '---\nscope:\n  write: ["*"]\n---\n')]);
    const evilFw = readTree(fw, evil).find((entry) => entry.name === 'fw')!;
    const tree = writeTree(fw, [...root, { ...evilFw }]);
    const raw = treeBytes(fw, tree);
    expect(raw.indexOf(Buffer.from(' fw\0'))).not.toBe(raw.lastIndexOf(Buffer.from(' fw\0')));
    const commit = commitTree(fw, tree, [main], 'two fw trees');
    expectRejected(setup, fw, [`${commit}:${nextBranch()}`], FRAGMENT.treeDuplicate);
  });

  test('a blob and a tree both named "pm" in the root', () => {
    const root = readTree(fw, main);
    const tree = writeTree(fw, [...root, file(fw, 'pm', 'a file shadowing the pm directory\n')]);
    expect(readTree(fw, tree).filter((entry) => entry.name === 'pm')).toHaveLength(2);
    const commit = commitTree(fw, tree, [main], 'blob and tree named pm');
    expectRejected(setup, fw, [`${commit}:${nextBranch()}`], FRAGMENT.treeDuplicate);
  });

  test('unsorted root entries hiding a change to pm/', () => {
    const changed = editTree(fw, main, 'pm', (entries) => [...entries.filter((entry) => entry.name !== 'README.md'), file(fw, 'README.md', 'taken over\n')]);
    const newPm = readTree(fw, changed).find((entry) => entry.name === 'pm')!;
    const root = readTree(fw, main);
    // pm' first, then everything else in order, the old pm left out: a merge-walk diff pairs wrongly.
    const tree = writeTree(fw, [newPm, ...root.filter((entry) => entry.name !== 'pm')], { sort: false });
    expect(readTree(fw, tree)[0].name).toBe('pm');
    const commit = commitTree(fw, tree, [main], 'unsorted');
    expectRejected(setup, fw, [`${commit}:${nextBranch()}`], FRAGMENT.treeUnsorted);
  });

  test('unsorted entries inside fw/', () => {
    const entries = [file(fw, 'z.txt', 'z\n'), file(fw, 'a.txt', 'a\n')];
    const commit = commitWith(fw, main, 'fw', entries, { sort: false });
    const names = readTree(fw, `${commit}:fw`).map((entry) => entry.name);
    expect(names.indexOf('z.txt')).toBeLessThan(names.indexOf('a.txt'));
    expectRejected(setup, fw, [`${commit}:${nextBranch()}`], FRAGMENT.treeUnsorted);
  });
});

describe('modes and links git fsck refuses', () => {
  test('mode 100664 (fsck-legal but not a mode git writes)', () => attackInFw([file(fw, 'group-writable.txt', 'x\n', '100664')], FRAGMENT.treeBadMode));
  test('mode 100600', () => attackInFw([file(fw, 'private.txt', 'x\n', '100600')], FRAGMENT.treeBadMode));
  test('a zero-padded tree mode 040000', () => attackInFw([{ mode: '040000', name: 'padded', oid: smallTree() }], FRAGMENT.treeZeroPadded));
  // (An entry with an empty name cannot be pushed at all: the pusher's own pack-objects dies on it.)
  test('fw/.gitmodules as a symlink (to a file inside fw/)', () => attackInFw([link(fw, '.gitmodules', 'README.md')], FRAGMENT.treeGitmodulesLink));
  test('fw/.GITMODULES as a symlink (case-insensitive file systems read it as .gitmodules)', () => attackInFw([link(fw, '.GITMODULES', 'README.md')], FRAGMENT.treeGitmodulesLink));
  test('a symlink whose target has a NUL byte (inside before it, outside after)', () => {
    const target = Buffer.concat([Buffer.from('README.md'), Buffer.from([0]), Buffer.from('../../pm/README.md')]);
    const entry = link(fw, 'nul-link', target);
    expect(fw.git(['cat-file', '-s', entry.oid])).toBe(String(target.length));
    attackInFw([entry], FRAGMENT.treeNulTarget);
  });
});

test('the architect pushing a malformed tree to main is refused too', () => {
  const architect = setup.architect;
  const base = fetched(architect, 'origin/main');
  const tree = editTree(architect, base, 'fw', (entries) => [...entries, { mode: '40000', name: '.git', oid: writeTree(architect, [{ mode: '100644', name: 'config', oid: writeBlob(architect, '[core]\n\tfsmonitor = echo pwned\n') }]) }]);
  const commit = commitTree(architect, tree, [base], 'architect: signed, but malformed', { sign: true });
  expect(architect.git(['cat-file', '-p', commit])).toContain('-----BEGIN SSH SIGNATURE-----');
  expectRejected(setup, architect, [`${commit}:refs/heads/main`], FRAGMENT.treeDotGit);
});

describe('when git checks objects itself (receive.fsckObjects), and when a setting weakens that', () => {
  afterEach(() => {
    setup.server.git(['config', '--unset-all', 'receive.fsckObjects']);
    setup.server.tryGit(['config', '--unset-all', 'receive.fsck.hasDotgit']);
  });

  test('receive.fsckObjects on: git refuses the tree before the gate runs, nothing lands', () => {
    setup.server.git(['config', 'receive.fsckObjects', 'true']);
    const commit = commitWith(fw, main, 'fw', [{ mode: '40000', name: '.GIT', oid: smallTree() }]);
    const before = snapshot(setup.server);
    const result = push(fw, [`${commit}:${nextBranch()}`]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('hasDotgit');
    expect(result.output).not.toContain('coord-hooks: push rejected'); // git's own refusal: the hook never ran
    expect(snapshot(setup.server)).toBe(before);
  });

  test('receive.fsckObjects on but receive.fsck.hasDotgit=ignore: the gate checks the trees itself', () => {
    setup.server.git(['config', 'receive.fsckObjects', 'true']);
    setup.server.git(['config', 'receive.fsck.hasDotgit', 'ignore']);
    attackInFw([{ mode: '40000', name: '.GIT', oid: smallTree() }], FRAGMENT.treeDotGitUpper);
  });
});
