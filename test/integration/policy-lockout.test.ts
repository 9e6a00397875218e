/**
 * A policy typo never locks the architect out (gate/policy-recovery.ts): an update of main whose
 * policy does not validate is rejected before it lands; a broken policy already on main (written
 * before this rule, or by a host's web editor: simulated here with the server's bypass setting) leaves
 * exactly one way in, a fix pushed alone by an architect of the last valid policy. Real pushes into a
 * real bare repository with the gate; every rejection leaves the server unchanged.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { runCommand } from '../../fixtures/cli';
import { installClientHooks } from '../../fixtures/client-hooks';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { ROOT_CLAUDE, STANDARD_POLICY } from '../../fixtures/policies';
import { Repo, tempDir } from '../../fixtures/repo';
import { configureSigning, makeSetup, push, type Setup } from '../../fixtures/server';
import { expectAccepted, expectRejected, serverRef } from '../../fixtures/redteam';

/** The root CLAUDE.md with a YAML error on line 3 (an unclosed flow sequence). */
const BROKEN_ROOT = ROOT_CLAUDE.replace('protected: [main]', 'protected: [main');
/** A team file whose scope key is misspelt: `wirte` (line 3). */
const BROKEN_TEAM = '---\nscope:\n  wirte: ["fw/"]\n---\n# Team fw\n';

let fwKey: SshKey;
beforeAll(async () => {
  fwKey = await makeSshKey(tempDir('coord-hooks-lockout-keys-'), 'fw');
});

/** Lands `files` on main as the host's web editor would: past the gate (the bypass, then unset). */
function landPastTheGate(setup: Setup, files: Record<string, string>, message: string): string {
  setup.server.git(['config', 'coord-hooks.bypass', 'true']);
  // Past the architect's own client hooks too, where they are installed.
  const architect = new Repo(setup.architect.dir, { ...setup.architect.env, COORD_HOOKS: '0' });
  try {
    architect.git(['switch', '-q', 'main']);
    architect.git(['pull', '-q', '--ff-only']);
    const commit = architect.commit(message, files);
    const result = push(architect, ['main']);
    if (result.code !== 0) throw new Error(result.output);
    return commit;
  } finally {
    setup.server.git(['config', '--unset', 'coord-hooks.bypass']);
  }
}

function auditLines(setup: Setup): Record<string, unknown>[] {
  return readFileSync(join(setup.server.dir, 'coord-hooks', 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('an update of main whose policy does not validate is rejected before it lands', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await makeSetup();
  });

  test('a YAML error in the root CLAUDE.md: file:line:col, the fix, main unchanged', () => {
    setup.architect.freshBranch('typo-root');
    setup.architect.commit('policy: typo', { 'CLAUDE.md': BROKEN_ROOT });
    const output = expectRejected(setup, setup.architect, ['HEAD:refs/heads/main'], 'does not validate');
    expect(output).toMatch(/CLAUDE\.md:\d+:\d+: /);
    expect(output).toContain('it would lock every push out');
    expect(output).toContain('coord-hooks explain --policy-from worktree');
  });

  test('a misspelt key in a team file is named with its place and a suggestion', () => {
    setup.architect.freshBranch('typo-team');
    setup.architect.commit('policy: typo in fw', { 'fw/CLAUDE.md': BROKEN_TEAM });
    const output = expectRejected(setup, setup.architect, ['HEAD:refs/heads/main'], 'fw/CLAUDE.md:3:3: ');
    expect(output).toContain('"write"');
  });

  test('a signers file whose architect line lost a character is rejected (ssh-keygen would skip the line: no architect could sign)', () => {
    setup.architect.freshBranch('signers-typo');
    const line = signersLine('architect', setup.architectKey);
    const key = line.split(' ').find((part) => part.startsWith('AAAA'))!;
    const damaged = line.replace(key, key.slice(0, 30) + key.slice(31));
    setup.architect.commit('signers: retyped', { '.coord/allowed_signers': damaged + '\n' });
    const output = expectRejected(setup, setup.architect, ['HEAD:refs/heads/main'], '.coord/allowed_signers:1:');
    expect(output).toContain('not valid base64 of an OpenSSH public key');
    expect(output).toContain('no key of an architect (architect) is listed');
  });

  test('a signers line with a misspelt key type is named; dropping every architect key is refused', () => {
    setup.architect.freshBranch('signers-type');
    const line = signersLine('architect', setup.architectKey);
    setup.architect.commit('signers: typo', { '.coord/allowed_signers': `${line}\n${signersLine('fw', fwKey).replace('ssh-ed25519', 'ssh-ed2519')}\n` });
    expectRejected(setup, setup.architect, ['HEAD:refs/heads/main'], '.coord/allowed_signers:2:1: this line names no key type');
    setup.architect.freshBranch('signers-none');
    setup.architect.commit('signers: only fw', { '.coord/allowed_signers': `${signersLine('fw', fwKey)}\n` });
    expectRejected(setup, setup.architect, ['HEAD:refs/heads/main'], 'no key of an architect (architect) is listed');
  });

  test('the same update with the policy valid is accepted (the rule judges the policy, not the author)', () => {
    setup.architect.freshBranch('valid');
    const commit = setup.architect.commit('policy: docs line', { 'CLAUDE.md': ROOT_CLAUDE + '\nMore words.\n' });
    expectAccepted(setup, setup.architect, ['HEAD:refs/heads/main'], { 'refs/heads/main': commit });
  });
});

describe('a broken policy on main: only the architect\'s fix gets in', () => {
  let setup: Setup;
  let fw: Repo;
  let fwSigned: Repo;
  let goodMain: string;
  let brokenMain: string;

  beforeAll(async () => {
    setup = await makeSetup({ signers: [signersLine('fw', fwKey)] });
    fw = setup.clone('fw');
    fwSigned = setup.clone('fw-signed');
    configureSigning(fwSigned, fwKey);
    goodMain = serverRef(setup, 'refs/heads/main')!;
    brokenMain = landPastTheGate(setup, { 'CLAUDE.md': BROKEN_ROOT }, 'policy: edited on the web, broken');
    fw.git(['fetch', '-q', 'origin']);
    fwSigned.git(['fetch', '-q', 'origin']);
  });

  test('a team push is refused with the problems, the way out, and the last-resort bypass', () => {
    fw.freshBranch('fw/work');
    fw.commit('fw work', { 'fw/a.txt': 'a\n' });
    const output = expectRejected(setup, fw, ['HEAD:refs/heads/fw/work'], `the policy on main (${brokenMain.slice(0, 12)}) does not validate`);
    expect(output).toMatch(/CLAUDE\.md:\d+:\d+: /);
    expect(output).toContain('git push --signed');
    expect(output).toContain(`as of ${goodMain.slice(0, 12)}`);
    expect(output).toContain('coord-hooks.bypass');
    const last = auditLines(setup).at(-1)!;
    expect(last).toMatchObject({ event: 'rejected', policy: 'broken' });
  });

  test('the fix pushed together with another ref is refused: the fix goes alone', () => {
    setup.architect.freshBranch('fix-with-other', 'origin/main');
    setup.architect.commit('policy: fixed', { 'CLAUDE.md': ROOT_CLAUDE });
    expectRejected(setup, setup.architect, ['HEAD:refs/heads/main', 'HEAD:refs/heads/scratch'], 'must update main alone');
  });

  test('a "fix" that is still broken is refused, naming the new problems', () => {
    setup.architect.freshBranch('fix-still-broken', 'origin/main');
    setup.architect.commit('policy: half fixed', { 'CLAUDE.md': ROOT_CLAUDE, 'fw/CLAUDE.md': BROKEN_TEAM });
    expectRejected(setup, setup.architect, ['HEAD:refs/heads/main'], 'does not validate either');
  });

  test('a fix without a push certificate is refused (an architect must be proved)', () => {
    setup.architect.freshBranch('fix-unsigned', 'origin/main');
    setup.architect.commit('policy: fixed', { 'CLAUDE.md': ROOT_CLAUDE });
    expectRejected(setup, setup.architect, ['HEAD:refs/heads/main'], 'the fix must carry an architect\'s push certificate', { config: ['push.gpgSign=false'] });
  });

  test('a team that writes itself in as architect, signing with its own key, is refused: trust comes from the last valid policy', () => {
    fwSigned.freshBranch('fw-takeover', 'origin/main');
    const takeover = ROOT_CLAUDE.replace('architects: [architect]', 'architects: [architect, fw]');
    fwSigned.commit('policy: fw is an architect now', { 'CLAUDE.md': takeover });
    expectRejected(setup, fwSigned, ['HEAD:refs/heads/main'], 'not by an architect of the last valid policy (architect)');
  });

  test('the architect\'s signed fix lands; then the team pushes again', () => {
    setup.architect.freshBranch('fix', 'origin/main');
    const fix = setup.architect.commit('policy: fixed', { 'CLAUDE.md': ROOT_CLAUDE });
    expectAccepted(setup, setup.architect, ['HEAD:refs/heads/main'], { 'refs/heads/main': fix });
    fw.freshBranch('fw/after', 'origin/main');
    const work = fw.commit('fw work', { 'fw/b.txt': 'b\n' });
    expectAccepted(setup, fw, ['HEAD:refs/heads/fw/after'], { 'refs/heads/fw/after': work });
  });
});

describe('recovery in pusher identity mode', () => {
  const POLICY = { ...STANDARD_POLICY, 'CLAUDE.md': ROOT_CLAUDE.replace('architects: [architect]', 'architects: [carol]\n  identity: pusher') };
  let setup: Setup;

  beforeAll(async () => {
    setup = await makeSetup({ policy: POLICY, architectEnv: { GL_USER: 'carol' } });
    landPastTheGate(setup, { 'CLAUDE.md': POLICY['CLAUDE.md'].replace('identity: pusher', 'identity: pushr') }, 'policy: broken enum');
  });

  test('a fix pushed by a host account that is not an architect is refused', () => {
    const mallory = setup.clone('mallory', { GL_USER: 'mallory' });
    mallory.freshBranch('fix', 'origin/main');
    mallory.commit('policy: fixed', { 'CLAUDE.md': POLICY['CLAUDE.md'] });
    expectRejected(setup, mallory, ['HEAD:refs/heads/main'], 'the host says the pusher is mallory');
  });

  test('the architect\'s account lands the fix', () => {
    setup.architect.freshBranch('fix', 'origin/main');
    const fix = setup.architect.commit('policy: fixed', { 'CLAUDE.md': POLICY['CLAUDE.md'] });
    expectAccepted(setup, setup.architect, ['HEAD:refs/heads/main'], { 'refs/heads/main': fix });
  });
});

describe('client hooks say it earlier', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await makeSetup();
    await installClientHooks(setup.architect);
  });

  test('pre-commit in the architect\'s clone refuses a staged policy that does not validate', () => {
    setup.architect.git(['switch', '-q', 'main']);
    setup.architect.write('CLAUDE.md', BROKEN_ROOT);
    setup.architect.git(['add', 'CLAUDE.md']);
    const result = setup.architect.tryGit(['commit', '-q', '-m', 'policy: typo']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/CLAUDE\.md:\d+:\d+: /);
    expect(result.stderr).toContain('the staged policy does not validate');
    setup.architect.git(['reset', '-q', '--hard', 'HEAD']);
  });

  test('pre-commit prints the warnings of a staged policy that validates, and lets the commit through', () => {
    setup.architect.git(['switch', '-q', 'main']);
    setup.architect.write('qa/CLAUDE.md', STANDARD_POLICY['qa/CLAUDE.md'].replace('write: ["qa/"', 'write: ["qa/", "fw/"'));
    setup.architect.git(['add', 'qa/CLAUDE.md']);
    const result = setup.architect.tryGit(['commit', '-m', 'policy: qa may write fw/ too']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the staged policy validates, with');
    expect(result.stderr).toMatch(/qa\/CLAUDE\.md:\d+:\d+: warning: teams (fw and qa|qa and fw) may both write/);
    setup.architect.git(['reset', '-q', '--hard', 'origin/main']);
  });

  test('pre-commit refuses a staged signers file whose architect line lost a character', () => {
    setup.architect.git(['switch', '-q', 'main']);
    const line = signersLine('architect', setup.architectKey);
    const key = line.split(' ').find((part) => part.startsWith('AAAA'))!;
    setup.architect.write('.coord/allowed_signers', line.replace(key, key.slice(1)) + '\n');
    setup.architect.git(['add', '.coord/allowed_signers']);
    const result = setup.architect.tryGit(['commit', '-q', '-m', 'signers: retyped']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('.coord/allowed_signers:1:');
    setup.architect.git(['reset', '-q', '--hard', 'HEAD']);
  });

  test('pre-push refuses pushing main with a policy that does not validate (commit --no-verify)', () => {
    setup.architect.git(['switch', '-q', 'main']);
    setup.architect.write('fw/CLAUDE.md', BROKEN_TEAM);
    setup.architect.git(['add', 'fw/CLAUDE.md']);
    setup.architect.git(['commit', '-q', '--no-verify', '-m', 'policy: typo']);
    const result = push(setup.architect, ['main']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('push refused by coord-hooks pre-push');
    expect(result.output).toContain('fw/CLAUDE.md:3:3: ');
    expect(result.output).not.toContain('coord-hooks: push rejected'); // it never reached the server
    setup.architect.git(['reset', '-q', '--hard', 'origin/main']);
  });

  test('with main broken on the server, the architect\'s hooks let the fix through (no COORD_HOOKS=0 needed)', async () => {
    landPastTheGate(setup, { 'CLAUDE.md': BROKEN_ROOT }, 'policy: broken on the web');
    const explained = await runCommand(['explain', 'fw/x'], { cwd: setup.architect.dir, env: setup.architect.env });
    expect(explained.code).toBe(2); // the located policy (origin/main) is broken, and says so
    setup.architect.write('CLAUDE.md', ROOT_CLAUDE);
    setup.architect.git(['add', 'CLAUDE.md']);
    const fix = setup.architect.tryGit(['commit', '-q', '-m', 'policy: fixed']);
    expect(fix.code).toBe(0);
    const result = push(setup.architect, ['main']);
    if (result.code !== 0) throw new Error(result.output);
    expect(serverRef(setup, 'refs/heads/main')).toBe(setup.architect.head());
  });
});
