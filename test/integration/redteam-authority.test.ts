/**
 * Red team: authority is bound to the ref update, through push certificates (git push --signed), not
 * to signatures on objects that can be replayed. `ref` mode: the protected branch needs an architect
 * certificate. `signature` mode: deleting or rewinding a team branch needs the team's (or an
 * architect's) certificate, and every commit new to the team is judged for it. The legitimate
 * counterparts in signature mode are here too (own certificate, a member's key, announce).
 */
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { STANDARD_POLICY, teamClaude } from '../../fixtures/policies';
import { tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, makeSetup, type Setup } from '../../fixtures/server';
import { FRAGMENT, expectAccepted, expectRejected, fetched, policyWith, serverRef } from '../../fixtures/redteam';

let keys: Record<'fw' | 'pm' | 'alice' | 'mallory', SshKey>;

beforeAll(async () => {
  const dir = tempDir('coord-hooks-rt-auth-keys-');
  keys = { fw: await makeSshKey(dir, 'fw'), pm: await makeSshKey(dir, 'pm'), alice: await makeSshKey(dir, 'alice'), mallory: await makeSshKey(dir, 'mallory') };
});

const announce = (setup: Setup, team: string, round: number) =>
  runCommand(['announce', '--team', team, '--round', String(round), '--message', `Round ${round} for ${team}.`], { cwd: setup.architect.dir, env: setup.architect.env });

function signingClone(setup: Setup, name: string, key: SshKey): Repo {
  const repo = setup.clone(name);
  configureSigning(repo, key);
  return repo;
}

describe('ref mode: the protected branch needs the architect\'s push certificate', () => {
  let setup: Setup;
  let fw: Repo;
  let fwSigned: Repo;
  let announcement: string;

  beforeAll(async () => {
    setup = await makeSetup({ signers: [signersLine('fw', keys.fw)] });
    const announced = await announce(setup, 'fw', 1);
    if (announced.code !== 0) throw new Error(announced.stderr);
    fw = setup.clone('fw');
    fwSigned = signingClone(setup, 'fw-signed', keys.fw);
    announcement = fetched(fw, 'origin/fw/round-1');
  });

  test('fw fast-forwards main to the architect-signed announcement commit (no certificate)', () => {
    expect(fw.git(['cat-file', '-p', announcement])).toContain('-----BEGIN SSH SIGNATURE-----');
    expect(fw.git(['rev-parse', `${announcement}^`])).toBe(fetched(fw, 'origin/main'));
    expectRejected(setup, fw, [`${announcement}:refs/heads/main`], FRAGMENT.pushCertificate);
  });

  test('fw fast-forwards main to an architect-signed commit the architect pushed to a team branch', () => {
    const architect = setup.architect;
    architect.git(['checkout', '-q', '-B', 'help-fw', fetched(architect, 'origin/main')]);
    const signed = architect.commit('architect helps fw', { 'fw/help.txt': 'help\n' });
    expectAccepted(setup, architect, [`${signed}:refs/heads/fw/help`], { 'refs/heads/fw/help': signed });
    architect.git(['checkout', '-q', 'main']);
    expectRejected(setup, fw, [`${fetched(fw, 'origin/fw/help')}:refs/heads/main`], FRAGMENT.pushCertificate);
  });

  test('the architect pushing main with --no-signed', () => {
    const architect = setup.architect;
    architect.git(['checkout', '-q', '-B', 'main', fetched(architect, 'origin/main')]);
    architect.commit('architect work, signed commit', { 'shared/a.txt': 'a\n' });
    expect(architect.git(['cat-file', '-p', 'HEAD'])).toContain('-----BEGIN SSH SIGNATURE-----');
    expectRejected(setup, architect, ['--no-signed', 'main'], FRAGMENT.pushCertificate);
  });

  test('the architect pushing main with -c push.gpgSign=false', () => {
    const architect = setup.architect;
    architect.git(['checkout', '-q', '-B', 'main', fetched(architect, 'origin/main')]);
    architect.commit('architect work, signed commit', { 'shared/b.txt': 'b\n' });
    expectRejected(setup, architect, ['main'], FRAGMENT.pushCertificate, { config: ['push.gpgSign=false'] });
  });

  test('a team\'s signed push (fw\'s certificate) updating main with a fw-signed commit', () => {
    fwSigned.git(['checkout', '-q', '-B', 'to-main', fetched(fwSigned, 'origin/main')]);
    const commit = fwSigned.commit('fw to main', { 'fw/main.txt': 'm\n' });
    expectRejected(setup, fwSigned, [`${commit}:refs/heads/main`], FRAGMENT.pushCertificate);
  });

  test('fw\'s certificate does not count as the architect\'s, even for an architect-signed tip', () => {
    const architect = setup.architect;
    architect.git(['checkout', '-q', '-B', 'help-fw-2', fetched(architect, 'origin/main')]);
    const signed = architect.commit('architect helps fw again', { 'fw/help2.txt': 'help\n' });
    expectAccepted(setup, architect, [`${signed}:refs/heads/fw/help-2`], { 'refs/heads/fw/help-2': signed });
    architect.git(['checkout', '-q', 'main']);
    fwSigned.git(['fetch', '-q', 'origin']);
    expectRejected(setup, fwSigned, [`${signed}:refs/heads/main`], FRAGMENT.pushCertificate);
  });

  test('a certificate by a key that becomes an architect key only in the same push', () => {
    const mallory = signingClone(setup, 'mallory', keys.mallory);
    const signers = mallory.git(['show', 'origin/main:.coord/allowed_signers']);
    mallory.write('.coord/allowed_signers', `${signers}\n${signersLine('architect', keys.mallory)}\n`);
    mallory.git(['add', '-A']);
    mallory.git(['commit', '-q', '-m', 'add an architect key']);
    expectRejected(setup, mallory, ['HEAD:refs/heads/main'], FRAGMENT.pushCertificate);
  });
});

describe('signature mode: deleting or rewinding a team branch needs that team\'s certificate', () => {
  let setup: Setup;
  let fw: Repo;
  let pm: Repo;
  let n = 0;

  beforeAll(async () => {
    setup = await makeSetup({
      policy: { ...policyWith(['identity: signature']), 'fw/CLAUDE.md': teamClaude(['fw/', 'experiments/x/'], 'members: [fw, alice]\n'), 'pm/CLAUDE.md': STANDARD_POLICY['pm/CLAUDE.md'] },
      signers: [signersLine('fw', keys.fw), signersLine('alice', keys.alice), signersLine('pm', keys.pm)],
    });
    fw = signingClone(setup, 'fw', keys.fw);
    pm = signingClone(setup, 'pm', keys.pm);
  });

  /** A new fw branch on the server with two fw-signed commits; returns its name and both commits. */
  function fwBranch(label: string): { ref: string; first: string; second: string } {
    const ref = `refs/heads/fw/${label}-${++n}`;
    fw.git(['checkout', '-q', '-B', `work-${n}`, fetched(fw, 'origin/main')]);
    const first = fw.commit('fw one', { [`fw/${label}-1.txt`]: '1\n' });
    const second = fw.commit('fw two', { [`fw/${label}-2.txt`]: '2\n' });
    expectAccepted(setup, fw, [`${second}:${ref}`], { [ref]: second });
    return { ref, first, second };
  }

  test('pm (signed push with pm\'s key) deletes fw\'s branch', () => {
    const { ref } = fwBranch('del-by-pm');
    expectRejected(setup, pm, [`:${ref}`], FRAGMENT.pushCertificate);
  });

  test('pm rewinds fw\'s branch to an older fw-signed commit (force push, pm\'s certificate)', () => {
    const { ref, first } = fwBranch('rewind-by-pm');
    pm.git(['fetch', '-q', 'origin']);
    expectRejected(setup, pm, [`+${first}:${ref}`], FRAGMENT.pushCertificate);
  });

  test('rewinding fw\'s branch without any certificate (--no-signed)', () => {
    const { ref, first } = fwBranch('rewind-unsigned');
    expectRejected(setup, fw, ['--no-signed', `+${first}:${ref}`], FRAGMENT.pushCertificate);
  });

  test('deleting fw\'s branch from a clone that cannot sign at all', () => {
    const { ref } = fwBranch('del-anon');
    const anonymous = setup.clone(`anonymous-${n}`);
    expectRejected(setup, anonymous, [`:${ref}`], FRAGMENT.pushCertificate);
  });

  test('creating a fw branch at a pm-signed commit already on the server (never judged for fw)', () => {
    pm.git(['checkout', '-q', '-B', 'pm-empty', fetched(pm, 'origin/main')]);
    const pmCommit = pm.commit('pm: an empty signed commit');
    expectAccepted(setup, pm, [`${pmCommit}:refs/heads/pm/empty`], { 'refs/heads/pm/empty': pmCommit });
    fw.git(['fetch', '-q', 'origin']);
    expectRejected(setup, fw, [`${pmCommit}:refs/heads/fw/borrowed`], FRAGMENT.notTeamSigned);
  });

  describe('legitimate', () => {
    test('fw deletes its own branch with its certificate', () => {
      const { ref } = fwBranch('del-own');
      expectAccepted(setup, fw, [`:${ref}`], { [ref]: null });
    });

    test('fw rewinds its own branch with its certificate', () => {
      const { ref, first } = fwBranch('rewind-own');
      expectAccepted(setup, fw, [`+${first}:${ref}`], { [ref]: first });
    });

    test('commits signed by a key listed for a member principal (alice, of fw)', () => {
      const alice = signingClone(setup, 'alice', keys.alice);
      alice.git(['checkout', '-q', '-b', 'fw/alice']);
      const commit = alice.commit('alice for fw', { 'fw/alice.txt': 'a\n' });
      expectAccepted(setup, alice, ['fw/alice'], { 'refs/heads/fw/alice': commit });
    });

    test('the architect\'s announcement on fw/round-1 (the real CLI)', async () => {
      expect(serverRef(setup, 'refs/heads/fw/round-1')).toBeNull();
      const announced = await announce(setup, 'fw', 1);
      expect(announced.stderr).toBe('');
      expect(announced.code).toBe(0);
      expect(setup.server.git(['show', 'refs/heads/fw/round-1:rounds/1/fw/ANNOUNCEMENT.md'])).toBe('Round 1 for fw.');
      expect(serverRef(setup, 'refs/tags/round-1/start')).not.toBeNull();
    });
  });
});
