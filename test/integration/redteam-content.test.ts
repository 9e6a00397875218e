/**
 * Red team: nothing counts as already judged unless the gate judged it for that team. Content parked
 * where it is not scope-checked (an extra branch, a tag under other-tags: anyone, another team's
 * branch) and then pointed at or merged by fw; and the round exceptions (REPLY.md, ANNOUNCEMENT.md)
 * stretched to links, gitlinks, directories, other branches, other rounds and other teams.
 */
import { runCommand } from '../../fixtures/cli';
import type { Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { FRAGMENT, commitWith, expectAccepted, expectRejected, fetched, policyWith } from '../../fixtures/redteam';

let setup: Setup;
let fw: Repo;
let pm: Repo;
let scratchPm: string;
/** fw/round-1 as announced: round-branch attacks start here (and force-push, so an earlier verdict cannot interfere). */
let announced1: string;

beforeAll(async () => {
  setup = await makeSetup({ policy: policyWith(['extra-branches: ["scratch/"]', 'other-tags: anyone']) });
  const announced = await runCommand(['announce', '--team', 'fw,pm', '--round', '1', '--message', 'Round 1.'], { cwd: setup.architect.dir, env: setup.architect.env });
  if (announced.code !== 0) throw new Error(announced.stderr);
  fw = setup.clone('fw');
  pm = setup.clone('pm');
  announced1 = fetched(fw, 'origin/fw/round-1');
  // pm parks a pm-only commit on an extra branch: never scope-checked, never judged for fw.
  pm.git(['checkout', '-q', '-b', 'scratch/pm-work']);
  scratchPm = pm.commit('pm work on scratch', { 'pm/from-scratch.txt': 'pm\n' });
  expectAccepted(setup, pm, ['scratch/pm-work'], { 'refs/heads/scratch/pm-work': scratchPm });
});

/** fw's work tree on a fresh local branch from `base` (fetched first). */
const onFw = (base: string) => fw.freshBranch('work', base);

describe('content parked where nobody judged it for fw', () => {
  test('fw creates a branch pointing at pm\'s commit from scratch/', () => {
    fw.git(['fetch', '-q', 'origin']);
    expectRejected(setup, fw, [`${scratchPm}:refs/heads/fw/from-scratch`], FRAGMENT.contentFromScratch);
  });

  test('fw merges pm\'s commit from scratch/', () => {
    onFw('origin/main');
    fw.commit('fw work', { 'fw/own.txt': 'own\n' });
    fw.git(['merge', '-q', '--no-edit', scratchPm]);
    expectRejected(setup, fw, ['HEAD:refs/heads/fw/merged-scratch'], FRAGMENT.contentFromScratch);
  });

  test('fw points at a revert pair already on pm\'s branch (its net change is empty)', () => {
    pm.git(['checkout', '-q', '-B', 'pm-pair', fetched(pm, 'origin/main')]);
    const add = pm.commit('pm adds', { 'pm/revert-pair.txt': 'x\n' });
    pm.git(['revert', '--no-edit', add]);
    const tip = pm.head();
    expect(pm.git(['diff', '--name-only', 'origin/main', tip])).toBe('');
    expectAccepted(setup, pm, [`${tip}:refs/heads/pm/pair`], { 'refs/heads/pm/pair': tip });
    fw.git(['fetch', '-q', 'origin']);
    expectRejected(setup, fw, [`${tip}:refs/heads/fw/pair`], FRAGMENT.contentRevertPair);
  });

  test('fw\'s own unsigned ANNOUNCEMENT.md commit parked on scratch/, then fw/round-1 fast-forwarded to it', () => {
    onFw(announced1);
    const forged = fw.commit('forged announcement', { 'rounds/1/fw/ANNOUNCEMENT.md': 'Round 1: fw decides.\n' });
    expectAccepted(setup, fw, [`${forged}:refs/heads/scratch/ann`], { 'refs/heads/scratch/ann': forged });
    expectRejected(setup, fw, [`${forged}:refs/heads/fw/round-1`], FRAGMENT.announcement);
  });

  test('pm\'s own unsigned ANNOUNCEMENT.md commit parked under a tag (other-tags: anyone), then pm/round-1 fast-forwarded to it', () => {
    pm.freshBranch('work', 'origin/pm/round-1');
    const forged = pm.commit('forged announcement, tagged', { 'rounds/1/pm/ANNOUNCEMENT.md': 'Round 1: pm decides.\n' });
    expectAccepted(setup, pm, [`${forged}:refs/tags/ann-parked`], { 'refs/tags/ann-parked': forged });
    expectRejected(setup, pm, [`${forged}:refs/heads/pm/round-1`], FRAGMENT.announcement);
  });

  test('a policy-file edit parked on scratch/, then pointed at by a fw branch', () => {
    onFw('origin/main');
    const widened = fw.commit('widen', { 'fw/CLAUDE.md': '---\nscope:\n  write: ["*"]\n---\n' });
    expectAccepted(setup, fw, [`${widened}:refs/heads/scratch/policy`], { 'refs/heads/scratch/policy': widened });
    expectRejected(setup, fw, [`${widened}:refs/heads/fw/policy`], FRAGMENT.policyFile);
  });

  test('the architect\'s announcement for pm merged into fw/round-1', () => {
    onFw(announced1);
    fw.git(['merge', '-q', '--no-edit', 'origin/pm/round-1']);
    expect(fw.git(['ls-tree', '-r', '--name-only', 'HEAD', 'rounds/1/pm'])).toBe('rounds/1/pm/ANNOUNCEMENT.md');
    expectRejected(setup, fw, ['+HEAD:refs/heads/fw/round-1'], FRAGMENT.otherTeamsAnnouncement);
  });
});

describe('the REPLY.md and ANNOUNCEMENT.md exceptions, stretched', () => {
  test('REPLY.md as a symlink into pm/ on fw/round-1', () => {
    onFw(announced1);
    fw.symlink('rounds/1/fw/REPLY.md', '../../../pm/README.md');
    fw.commit('reply as a link');
    expectRejected(setup, fw, ['+HEAD:refs/heads/fw/round-1'], FRAGMENT.replyAsLink);
  });

  test('REPLY.md as a gitlink on fw/round-1', () => {
    onFw(announced1);
    fw.git(['update-index', '--add', '--cacheinfo', `160000,${fw.head()},rounds/1/fw/REPLY.md`]);
    fw.git(['commit', '-q', '-m', 'reply as a gitlink']);
    expect(fw.git(['ls-tree', 'HEAD', 'rounds/1/fw/REPLY.md'])).toMatch(/^160000 commit /);
    expectRejected(setup, fw, ['+HEAD:refs/heads/fw/round-1'], FRAGMENT.replyAsGitlink);
  });

  test('REPLY.md as a directory on fw/round-1', () => {
    onFw(announced1);
    fw.commit('reply as a directory', { 'rounds/1/fw/REPLY.md/payload.txt': 'x\n' });
    expectRejected(setup, fw, ['+HEAD:refs/heads/fw/round-1'], FRAGMENT.replyAsDirectory);
  });

  test('REPLY.md written on fw/feature, not the round branch', () => {
    onFw(announced1);
    fw.commit('reply on a feature branch', { 'rounds/1/fw/REPLY.md': 'done\n' });
    expectRejected(setup, fw, ['HEAD:refs/heads/fw/feature'], FRAGMENT.replyOffRoundBranch);
  });

  test('another round\'s REPLY.md (rounds/2/fw/REPLY.md) on fw/round-1', () => {
    onFw(announced1);
    fw.commit('reply for round 2', { 'rounds/2/fw/REPLY.md': 'done\n' });
    expectRejected(setup, fw, ['+HEAD:refs/heads/fw/round-1'], FRAGMENT.replyOtherRound);
  });

  test('fw writing pm\'s REPLY.md on fw/round-1', () => {
    onFw(announced1);
    fw.commit('reply for pm', { 'rounds/1/pm/REPLY.md': 'pm agrees\n' });
    expectRejected(setup, fw, ['+HEAD:refs/heads/fw/round-1'], FRAGMENT.replyOtherTeam);
  });

  test('fw deleting its ANNOUNCEMENT.md', () => {
    onFw(announced1);
    fw.remove('rounds/1/fw/ANNOUNCEMENT.md');
    fw.commit('no more announcement');
    expectRejected(setup, fw, ['+HEAD:refs/heads/fw/round-1'], FRAGMENT.announcementDeleted);
  });

  test('ANNOUNCEMENT.md turned into a symlink by fw (a mode change only)', () => {
    onFw(announced1);
    const blob = fw.rev('HEAD:rounds/1/fw/ANNOUNCEMENT.md');
    const commit = commitWith(fw, fw.head(), 'rounds/1/fw', [{ mode: '120000', name: 'ANNOUNCEMENT.md', oid: blob }]);
    expect(fw.git(['ls-tree', commit, 'rounds/1/fw/ANNOUNCEMENT.md'])).toMatch(/^120000 blob /);
    expectRejected(setup, fw, [`+${commit}:refs/heads/fw/round-1`], FRAGMENT.announcementDeleted);
  });
});
