/**
 * Red team: refs are deny-by-default. Namespaces no rule covers, refs/replace/ (never, not even for
 * the architect), ambiguous names (pushed by the architect with signed tags and a push certificate, so
 * ambiguity is the only thing wrong), and the round-N/start tag's rules (immutable, annotated, header
 * == ref, architect-signed), including replays of genuine architect tag objects under other names.
 */
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { tempDir, type Repo } from '../../fixtures/repo';
import { makeSetup, push, type Setup } from '../../fixtures/server';
import { createTags } from '../../fixtures/tags';
import { FRAGMENT, expectRejected, fetched, policyWith, serverRef, writeBlob } from '../../fixtures/redteam';

let setup: Setup;
let fw: Repo;
let fwKey: SshKey;
let architect: Repo;
let relTag: string;
let startTag: string;

beforeAll(async () => {
  fwKey = await makeSshKey(tempDir('coord-hooks-rt-keys-'), 'fw');
  setup = await makeSetup({ policy: policyWith(['extra-branches: ["scratch/"]']), signers: [signersLine('fw', fwKey)] });
  architect = setup.architect;
  const announced = await runCommand(['announce', '--team', 'fw', '--round', '1', '--message', 'Round 1.'], { cwd: architect.dir, env: architect.env });
  if (announced.code !== 0) throw new Error(announced.stderr);
  // A genuine architect tag named like its ref, and a scratch branch: both legitimate, both used below.
  [relTag] = await createTags(architect, [{ name: 'rel-1', target: fetched(architect, 'origin/main'), key: setup.architectKey }]);
  await createTags(architect, [{ name: 'scratch/rel', target: architect.rev('origin/main'), key: setup.architectKey }]);
  const tags = push(architect, ['refs/tags/rel-1', 'refs/tags/scratch/rel']);
  if (tags.code !== 0) throw new Error(tags.output);
  fw = setup.clone('fw');
  fw.git(['checkout', '-q', '-b', 'scratch/wip']);
  fw.commit('scratch work', { 'fw/wip.txt': 'wip\n' });
  const scratch = push(fw, ['scratch/wip']);
  if (scratch.code !== 0) throw new Error(scratch.output);
  fw.git(['fetch', '-q', '--tags', 'origin']);
  startTag = fw.rev('refs/tags/round-1/start');
});

const mainTip = () => fetched(fw, 'origin/main');

describe('namespaces no rule covers', () => {
  test('a team pushing refs/replace/<policy blob> with a widened fw/CLAUDE.md', () => {
    const policyBlob = fw.rev('origin/main:fw/CLAUDE.md');
    const widened = writeBlob(fw, '---\nscope:\n  write: ["*"]\n---\n');
    expect(fw.git(['cat-file', '-t', widened])).toBe('blob');
    expectRejected(setup, fw, [`${widened}:refs/replace/${policyBlob}`], FRAGMENT.replaceRef);
  });

  test('a team pushing refs/replace/<main\'s commit>', () => {
    const main = mainTip();
    fw.git(['checkout', '-q', '-B', 'replacement', main]);
    const other = fw.commit('looks like main', { 'pm/README.md': 'replaced\n' });
    expectRejected(setup, fw, [`${other}:refs/replace/${main}`], FRAGMENT.replaceRef);
  });

  test('the architect pushing refs/replace/ (signed commit, push certificate): never accepted', () => {
    const main = fetched(architect, 'origin/main');
    const replacement = architect.git(['commit-tree', '-S', '-p', main, '-m', 'architect replacement', `${main}^{tree}`]);
    expectRejected(setup, architect, [`${replacement}:refs/replace/${main}`], FRAGMENT.replaceRef);
  });

  test('refs/notes/commits', () => {
    fw.git(['notes', 'add', '-f', '-m', 'a note', mainTip()]);
    expect(fw.git(['notes', 'show', mainTip()])).toBe('a note');
    expectRejected(setup, fw, ['refs/notes/commits'], FRAGMENT.extraRefs);
  });

  test.each([
    ['refs/for/main (Gerrit review)', 'refs/for/main'],
    ['refs/remotes/origin/main', 'refs/remotes/origin/main'],
    ['refs/pull/1/head', 'refs/pull/1/head'],
    ['refs/stash', 'refs/stash'],
    ['refs/meta/config', 'refs/meta/config'],
    ['a top-level namespace of its own (refs/coord/x)', 'refs/coord/x'],
  ])('%s', (_label, ref) => {
    fw.git(['checkout', '-q', '-B', 'ns-work', mainTip()]);
    fw.commit(`work for ${ref}`, { 'fw/ns.txt': `${ref}\n` });
    expectRejected(setup, fw, [`${fw.head()}:${ref}`], FRAGMENT.extraRefs);
  });
});

describe('ambiguous names (architect-signed tags named like their refs, pushed with a certificate)', () => {
  test.each([
    ['a tag named like the protected branch', 'main'],
    ['a tag named like a team\'s round branch', 'fw/round-1'],
    ['a tag starting with a team\'s namespace', 'fw/not-a-branch'],
    ['a tag named like an existing extra branch', 'scratch/wip'],
    ['a tag named HEAD', 'HEAD'],
    ['a tag starting with heads/', 'heads/main'],
    ['a tag starting with refs/', 'refs/heads/main'],
    ['a tag named like the protected branch in another case (case-insensitive file systems)', 'Main'],
    ['a tag in a team namespace in another case', 'FW/round-2'],
  ])('%s (%s)', async (_label, name) => {
    await createTags(architect, [{ name, target: fetched(architect, 'origin/main'), key: setup.architectKey }]);
    expect(architect.git(['cat-file', '-p', `refs/tags/${name}`])).toContain(`tag ${name}\n`);
    expectRejected(setup, architect, [`${architect.rev(`refs/tags/${name}`)}:refs/tags/${name}`], FRAGMENT.ambiguousName);
  });

  test('a tag named like a full object id', async () => {
    const main = fetched(architect, 'origin/main');
    const name = architect.rev('origin/fw/round-1');
    const [tag] = await createTags(architect, [{ name, target: main, key: setup.architectKey }]);
    expectRejected(setup, architect, [`${tag}:refs/tags/${name}`], FRAGMENT.ambiguousName);
  });

  test('a branch named like an existing tag (scratch/rel, in the extra-branches namespace)', () => {
    expect(serverRef(setup, 'refs/tags/scratch/rel')).not.toBeNull();
    fw.git(['checkout', '-q', '-B', 'shadow', mainTip()]);
    fw.commit('shadow the tag', { 'fw/shadow.txt': 's\n' });
    expectRejected(setup, fw, [`${fw.head()}:refs/heads/scratch/rel`], FRAGMENT.ambiguousName);
  });
});

describe('round tags', () => {
  test('any other round- tag (round-1/foo), even architect-signed', async () => {
    await createTags(architect, [{ name: 'round-1/foo', target: fetched(architect, 'origin/main'), key: setup.architectKey }]);
    expectRejected(setup, architect, ['refs/tags/round-1/foo'], FRAGMENT.otherRoundTag);
  });

  test('moving round-1/start, even by the architect with a new signed tag', async () => {
    await createTags(architect, [{ name: 'round-1/start', target: fetched(architect, 'origin/fw/round-1'), key: setup.architectKey, message: 'expect: fw pm\n' }]);
    expect(architect.rev('refs/tags/round-1/start')).not.toBe(serverRef(setup, 'refs/tags/round-1/start'));
    expectRejected(setup, architect, ['+refs/tags/round-1/start'], FRAGMENT.startImmutable);
  });

  test('deleting round-1/start, even by the architect', () => {
    expectRejected(setup, architect, [':refs/tags/round-1/start'], FRAGMENT.startImmutable);
  });

  test('round-2/start, annotated but unsigned', async () => {
    await createTags(fw, [{ name: 'round-2/start', target: mainTip(), key: null, message: 'expect: fw\n' }]);
    expectRejected(setup, fw, ['refs/tags/round-2/start'], FRAGMENT.startUnsigned);
  });

  test('round-2/start, lightweight, pushed by the architect with a certificate', async () => {
    await createTags(architect, [{ name: 'round-2/start', target: fetched(architect, 'origin/main'), lightweight: true }]);
    expect(architect.git(['cat-file', '-t', 'refs/tags/round-2/start'])).toBe('commit');
    expectRejected(setup, architect, ['+refs/tags/round-2/start'], FRAGMENT.startLightweight);
  });

  test('round-2/start signed by a team key (listed for fw in the signers file)', async () => {
    await createTags(fw, [{ name: 'round-2/start', target: mainTip(), key: fwKey, message: 'expect: fw\n' }]);
    expectRejected(setup, fw, ['+refs/tags/round-2/start'], FRAGMENT.startWrongKey);
  });

  test('replaying the architect\'s round-1/start tag object as round-2/start (tag header mismatch)', () => {
    expect(fw.git(['cat-file', '-p', startTag])).toContain('tag round-1/start\n');
    expectRejected(setup, fw, [`+${startTag}:refs/tags/round-2/start`], FRAGMENT.tagHeaderMismatch);
  });
});

describe('other tags (other-tags: architect)', () => {
  test('replaying the architect\'s signed tag object rel-1 under the name rel-2', () => {
    expect(fw.git(['cat-file', '-p', relTag])).toContain('-----BEGIN SSH SIGNATURE-----');
    expectRejected(setup, fw, [`${relTag}:refs/tags/rel-2`], FRAGMENT.tagHeaderMismatch);
  });

  test('a lightweight tag at an architect-signed commit, pushed by a team without a certificate', () => {
    const main = mainTip();
    expect(fw.git(['cat-file', '-p', main])).toContain('-----BEGIN SSH SIGNATURE-----');
    expectRejected(setup, fw, [`${main}:refs/tags/snapshot-1`], FRAGMENT.tagNeedsArchitect);
  });
});
