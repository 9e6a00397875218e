/**
 * Differential test: git and the kernel are the oracles for gate/symlink.ts. A few hundred small
 * random (seeded) layouts of directories, files and relative links, each in its own directory
 * `case-N/` of one commit; each case's tree is the root its links are resolved in.
 *
 * - git: `git cat-file --batch-check --follow-symlinks` over `<case tree>:<link>` says where a link
 *   leads inside the tree (an object), or `symlink` (out of the tree), `dangling`, `loop`, `notdir`.
 * - kernel: the commit checked out by git (a clone), `realpath(3)` on `<checkout>/case-N/<link>`.
 *
 * Intended differences (by design of the resolver; only the first two arise in these layouts):
 * - `.` components: git looks up an entry named "." and reports `dangling`; the kernel and the
 *   resolver skip them. Layouts holding a `.` are compared with the kernel only.
 * - After a missing component the kernel (ENOENT) and git (`dangling`) stop; the resolver takes the
 *   rest lexically and walks the tree again from where that lands, so it may report an escape
 *   (leaving the repository, a loop, a file in the way) where they say "dangling": the place the
 *   link will lead once the missing directories exist. The log line counts these cases.
 * - A link that leaves the repository and comes back (`../<checkout dir>/x`) resolves inside for the
 *   kernel; the resolver calls leaving the repository an escape (the checkout's name is unknown).
 * - Absolute targets: git reports `symlink`, the kernel follows them; the resolver escapes.
 * - The link limit is 40 links per resolution, the link itself included, as for git and open(2)
 *   (ELOOP at 41; coreutils' realpath(1) goes further). Chains that long are in the unit test.
 * - Escapes git and Linux do not know: backslashes, `:`, Windows' `...`/`.. `, NTFS short names,
 *   names matching an entry only up to case/normalization/trailing dots, NUL, invalid UTF-8, empty.
 * - A file or submodule in the middle of a path: git `notdir`, kernel ENOTDIR, resolver escape.
 *   Submodules (gitlinks) are not generated: git 2.39's --follow-symlinks never returns on a path
 *   through one.
 */
import { realpathSync, statSync } from 'fs';
import { join, relative, sep } from 'path';
import { GitRepo } from '../../git/repo';
import { cloneRepo, initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { resolveLinkTarget, type Resolution } from '../../gate/symlink';

/** Override to fuzz further: SYMLINK_DIFF_SEED=5 SYMLINK_DIFF_CASES=3000 npx jest symlink-differential */
const SEED = Number(process.env.SYMLINK_DIFF_SEED ?? 12);
const CASES = Number(process.env.SYMLINK_DIFF_CASES ?? 300);
const NAMES = ['a', 'b', 'c', 'd'];

type Node = { kind: 'dir'; children: Map<string, Node> } | { kind: 'file' } | { kind: 'link'; target: string };

interface Layout {
  root: Node & { kind: 'dir' };
  links: string[];
  hasDot: boolean;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(random: () => number): Layout {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const withDots = random() < 0.25;
  const links: { path: string; node: Node & { kind: 'link' } }[] = [];
  const paths: string[] = [];
  let hasDot = false;
  const dir = (depth: number, prefix: string): Node & { kind: 'dir' } => {
    const children = new Map<string, Node>();
    const count = 1 + Math.floor(random() * 4);
    for (const name of [...NAMES].sort(() => random() - 0.5).slice(0, count)) {
      const roll = random();
      paths.push(`${prefix}${name}`);
      if (roll < 0.3 && depth < 3) children.set(name, dir(depth + 1, `${prefix}${name}/`));
      else if (roll < 0.6) children.set(name, { kind: 'file' });
      else {
        const node = { kind: 'link' as const, target: '' };
        children.set(name, node);
        links.push({ path: `${prefix}${name}`, node });
      }
    }
    return { kind: 'dir', children };
  };
  const root = dir(0, '');
  // Half the targets aim at an entry of the layout (from the link's directory), the rest wander.
  const target = (from: string): string => {
    const parts: string[] = [];
    if (random() < 0.5) {
      const depth = from.split('/').length - 1;
      parts.push(...Array.from({ length: depth }, () => '..'), ...pick(paths).split('/'));
      while (parts[0] === '..' && parts.length > 1 && random() < 0.5) parts.shift(); // sometimes too few ..: relative to a subdirectory
    }
    const count = Math.floor(random() * (parts.length > 0 ? 2 : 4)) + (parts.length > 0 ? 0 : 1);
    for (let i = 0; i < count; i += 1) {
      const roll = random();
      if (roll < 0.25) parts.push('..');
      else if (withDots && roll < 0.33) { parts.push('.'); hasDot = true; }
      else parts.push(pick([...NAMES, 'z']));
    }
    if (random() < 0.05 && parts.length > 1) parts.splice(1, 0, '');
    return parts.join('/') + (random() < 0.1 ? '/' : '');
  };
  for (const link of links) link.node.target = target(link.path);
  return { root, links: links.map((link) => link.path), hasDot };
}

function materialize(repo: Repo, node: Node & { kind: 'dir' }, prefix: string): void {
  for (const [name, child] of node.children) {
    const path = `${prefix}/${name}`;
    if (child.kind === 'dir') materialize(repo, child, path);
    else if (child.kind === 'file') repo.write(path, `${path}\n`);
    else repo.symlink(path, child.target);
  }
}

type GitAnswer = { kind: 'found'; oid: string; type: string } | { kind: 'symlink' | 'dangling' | 'loop' | 'notdir' | 'missing'; payload: string };

function parseFollowSymlinks(output: string, count: number): GitAnswer[] {
  const lines = output.split('\n');
  const answers: GitAnswer[] = [];
  let i = 0;
  while (answers.length < count) {
    const line = lines[i++];
    const special = /^(symlink|dangling|loop|notdir) \d+$/.exec(line);
    if (special) answers.push({ kind: special[1] as 'symlink', payload: lines[i++] });
    else if (line.endsWith(' missing')) answers.push({ kind: 'missing', payload: line });
    else {
      const [oid, type] = line.split(' ');
      answers.push({ kind: 'found', oid, type });
    }
  }
  return answers;
}

type KernelAnswer = { kind: 'path'; path: string | null /* null: outside the case */; isDir: boolean } | { kind: 'error'; code: string };

function askKernel(caseDir: string, link: string): KernelAnswer {
  try {
    const real = realpathSync.native(join(caseDir, link));
    const rel = relative(caseDir, real);
    const outside = rel === '..' || rel.startsWith(`..${sep}`);
    return { kind: 'path', path: outside ? null : rel.split(sep).join('/'), isDir: statSync(real).isDirectory() };
  } catch (error) {
    return { kind: 'error', code: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

const isEscape = (ours: Resolution, reason: RegExp) => ours.kind === 'escape' && reason.test(ours.reason);
const LEAVES = /^leaves the repository$/;
const LOOP = /^symlink loop/;
const NOTDIR = /^passes through a file/;
const AFTER_MISSING = /^leaves the repository$|^symlink loop|^passes through a file/;

let root: string;
let repo: Repo;
let gitRepo: GitRepo;

beforeAll(() => {
  root = tempDir('coord-symlink-diff-');
  repo = initRepo(join(root, 'repo'), isolatedEnv(join(root, 'home')));
});

afterAll(() => {
  gitRepo?.close();
  removeDir(root);
});

test('resolveLinkTarget agrees with git --follow-symlinks and with realpath(3) on generated layouts', async () => {
  const started = Date.now();
  const random = mulberry32(SEED);
  const layouts = Array.from({ length: CASES }, () => generate(random));
  layouts.forEach((layout, n) => materialize(repo, layout.root, `case-${n}`));
  repo.commit('layouts');
  const checkout = join(root, 'checkout');
  cloneRepo(repo.dir, checkout, repo.env);

  const caseTrees = new Map<string, string>();
  for (const line of repo.git(['ls-tree', 'HEAD']).split('\n')) {
    const [meta, name] = line.split('\t');
    caseTrees.set(name, meta.split(' ')[2]);
  }
  const queries = layouts.flatMap((layout, n) => layout.links.map((link) => ({ n, link, tree: caseTrees.get(`case-${n}`)!, hasDot: layout.hasDot })));
  const answers = parseFollowSymlinks(repo.git(['cat-file', '--batch-check', '--follow-symlinks'], queries.map((q) => `${q.tree}:${q.link}\n`).join('')), queries.length);

  gitRepo = new GitRepo(repo.dir, repo.env);
  const objects = gitRepo.objects();
  const readTree = (oid: string) => objects.readTree(oid);
  const readLink = async (oid: string) => (await objects.read(oid))?.content ?? null;

  const mismatches: string[] = [];
  const seen = new Map<string, number>();
  const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
  // All resolutions at once: the cat-file process answers them in order, without a round trip each.
  const resolved = await Promise.all(queries.map(async (query) => {
    const target = (await objects.read(`${query.tree}:${query.link}`))!.content;
    const ours = await resolveLinkTarget(readTree, readLink, query.tree, query.link, target);
    const object = ours.kind === 'inside' && ours.type !== 'missing' ? await objects.read(ours.path === '' ? query.tree : `${query.tree}:${ours.path}`) : null;
    return { target, ours, object };
  }));
  for (const [i, query] of queries.entries()) {
    const { target, ours, object } = resolved[i];
    const where = `case-${query.n}/${query.link} -> ${JSON.stringify(target.toString())}: ours ${JSON.stringify(ours)}`;

    const kernel = askKernel(join(checkout, `case-${query.n}`), query.link);
    let kernelAgrees: boolean;
    if (kernel.kind === 'path' && kernel.path !== null) {
      kernelAgrees = ours.kind === 'inside' && ours.path === kernel.path && ours.type === (kernel.isDir ? 'tree' : 'blob');
    } else if (kernel.kind === 'path') kernelAgrees = isEscape(ours, LEAVES);
    else if (kernel.code === 'ENOENT') kernelAgrees = (ours.kind === 'inside' && ours.type === 'missing') || isEscape(ours, AFTER_MISSING);
    else if (kernel.code === 'ELOOP') kernelAgrees = isEscape(ours, LOOP);
    else if (kernel.code === 'ENOTDIR') kernelAgrees = isEscape(ours, NOTDIR);
    else kernelAgrees = false;
    count(`kernel ${kernel.kind === 'path' ? (kernel.path === null ? 'outside' : kernel.isDir ? 'dir' : 'file') : kernel.code}`);
    if (!kernelAgrees) mismatches.push(`${where}; realpath ${JSON.stringify(kernel)}`);

    if (query.hasDot) continue; // git looks up "." as a name: see the header
    const answer = answers[i];
    let gitAgrees: boolean;
    if (answer.kind === 'found') {
      gitAgrees = object !== null && object.oid === answer.oid && object.type === answer.type;
    } else if (answer.kind === 'symlink') gitAgrees = isEscape(ours, LEAVES);
    else if (answer.kind === 'dangling') gitAgrees = (ours.kind === 'inside' && ours.type === 'missing') || isEscape(ours, AFTER_MISSING);
    else if (answer.kind === 'loop') gitAgrees = isEscape(ours, LOOP);
    else if (answer.kind === 'notdir') gitAgrees = isEscape(ours, NOTDIR);
    else gitAgrees = false;
    count(`git ${answer.kind === 'found' ? answer.type : answer.kind}`);
    if (answer.kind === 'dangling' && ours.kind === 'escape') count('escape past a missing component');
    if (!gitAgrees) mismatches.push(`${where}; git ${JSON.stringify(answer)}`);
  }

  console.log(`${queries.length} links in ${CASES} layouts, ${Date.now() - started} ms: ${[...seen].map(([key, n]) => `${key} ${n}`).join(', ')}`);
  expect(mismatches).toEqual([]);
  // The layouts must reach every outcome, or the test would silently test less.
  const outcomes = ['kernel dir', 'kernel file', 'kernel ENOENT', 'kernel ELOOP', 'kernel ENOTDIR', 'git tree', 'git blob', 'git symlink', 'git dangling', 'git loop', 'git notdir'];
  expect(outcomes.filter((outcome) => (seen.get(outcome) ?? 0) < 5)).toEqual([]);
  expect(queries.length).toBeGreaterThan(300);
});
