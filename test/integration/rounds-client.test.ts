/** `keys` and `signal-done` against a real server with the gate: set up a key, get it listed, signal, get refused. */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine } from '../../fixtures/keys';
import type { Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { primaryFingerprints } from '../../trust/openpgp';

let setup: Setup;
const cli = (repo: Repo, args: string[], env: NodeJS.ProcessEnv = setup.env) => runCommand(args, { cwd: repo.dir, env });

/** The architect adds lines to the signers file (or other files) on main, signed, through the gate. */
function architectCommits(message: string, change: (files: { signers: string }) => Record<string, string>): void {
  const architect = setup.architect;
  architect.git(['pull', '-q', 'origin', 'main']);
  const signers = readFileSync(join(architect.dir, '.coord/allowed_signers'), 'utf8');
  architect.commit(message, change({ signers }));
  architect.git(['push', '-q', 'origin', 'main']);
}

function signersLineFrom(output: string): string {
  const match = /^ {2}(fw|pm|qa) namespaces="git" .*$/m.exec(output);
  if (!match) throw new Error(`no signers line in:\n${output}`);
  return match[0].trim();
}

let fw: Repo;
/** The repository id in key names: the protected branch's root commit, 8 hex digits. */
const repositoryId = () => setup.architect.git(['rev-list', '--max-parents=0', 'origin/main']).slice(0, 8);
const fwKeyPath = () => join(setup.env.HOME!, '.ssh', `coord-hooks-fw-${repositoryId()}_ed25519`);

beforeAll(async () => {
  setup = await makeSetup();
  fw = setup.clone('fw');
});

afterAll(async () => {
  await runProcess('gpgconf', ['--kill', 'gpg-agent'], { env: { ...setup.env, GNUPGHOME: join(setup.root, 'gnupg') } });
  (await import('../../fixtures/repo')).removeDir(setup.root);
});

test('keys: without a signing key it says how to get one (exit 1)', async () => {
  const result = await cli(fw, ['keys', '--team', 'fw']);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('coord-hooks keys --create --team fw');
  expect(result.stdout).toContain('git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub');
});

test('keys --create makes a team key, configures the clone and prints the signers line; listed once the architect adds it', async () => {
  const created = await cli(fw, ['keys', '--team', 'fw', '--create']);
  expect(created.code).toBe(0);
  const keyPath = fwKeyPath();
  expect(created.stdout).toContain(`created ${keyPath}`);
  expect(fw.git(['config', 'gpg.format'])).toBe('ssh');
  expect(fw.git(['config', 'user.signingkey'])).toBe(`${keyPath}.pub`);
  expect(fw.git(['config', 'tag.gpgSign'])).toBe('true');
  const line = signersLineFrom(created.stdout);
  expect(line).toBe(`fw namespaces="git" ${readFileSync(`${keyPath}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`);
  expect(created.stdout).toMatch(/listed: no, not for fw in the signers file on origin\/main/);

  // Again (or in a second clone of this repository): the same key, reused and said so, never overwritten.
  const before = readFileSync(keyPath, 'utf8');
  const again = await cli(fw, ['keys', '--team', 'fw', '--create']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`reused ${keyPath}: its comment "coord-hooks fw ${repositoryId()}" says an earlier keys --create made it for team fw of this repository`);
  expect(signersLineFrom(again.stdout)).toBe(line);
  expect(readFileSync(keyPath, 'utf8')).toBe(before);

  architectCommits('list the fw key', ({ signers }) => ({ '.coord/allowed_signers': `${signers}${line}\n` }));
  fw.git(['fetch', '-q', 'origin']);
  const listed = await cli(fw, ['keys', '--team', 'fw']);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/listed: yes, for fw in the signers file on origin\/main/);
});

test('signal-done refuses to run off the team\'s branch or without a round', async () => {
  const offBranch = await cli(fw, ['signal-done', '--round', '1', '--team', 'fw']);
  expect(offBranch.code).toBe(2);
  expect(offBranch.stderr).toMatch(/the current branch "main" is not one of team fw's branches/);
  expect(offBranch.stderr).toMatch(/git checkout fw\/round-1/);
  for (const bad of [[], ['--round', '0'], ['--round', '1.5'], ['--round', 'two']]) {
    expect((await cli(fw, ['signal-done', ...bad])).code).toBe(2);
  }
});

test('signal-done tags the branch tip and pushes branch and tag through the gate in one push', async () => {
  fw.git(['checkout', '-q', '-b', 'fw/round-1']);
  const tip = fw.commit('fw: round 1 work', { 'fw/one.txt': '1\n' });
  const result = await cli(fw, ['signal-done', '--round', '1']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/round 1 done for fw: pushed round-1\/done\/fw → [0-9a-f]{10} \(tip of fw\/round-1\) with fw\/round-1 to origin/);
  expect(setup.server.rev('refs/heads/fw/round-1')).toBe(tip);
  expect(setup.server.rev('refs/tags/round-1/done/fw^{commit}')).toBe(tip);
  expect(setup.server.git(['cat-file', 'tag', 'refs/tags/round-1/done/fw'])).toMatch(/\n\nround 1 done by fw\n-----BEGIN SSH SIGNATURE-----/);

  const tally = await cli(setup.clone('observer'), ['tally', '--json']);
  expect(JSON.parse(tally.stdout).rounds[0].teams.fw).toMatchObject({ state: 'done', target: tip });
});

test('signal-done shows an existing tag (here or on the remote) and exits 1', async () => {
  const here = await cli(fw, ['signal-done', '--round', '1']);
  expect(here.code).toBe(1);
  expect(here.stderr).toMatch(/round-1\/done\/fw already exists here, by Test Committer <committer@example.invalid> on \d{4}-\d\d-\d\dT[\d:]+Z, pointing at [0-9a-f]{10}/);

  const other = setup.clone('fw-other');
  other.git(['config', 'gpg.format', 'ssh']);
  other.git(['config', 'user.signingkey', fw.git(['config', 'user.signingkey'])]);
  other.git(['checkout', '-q', 'fw/round-1']);
  other.git(['tag', '-d', 'round-1/done/fw']);
  const remote = await cli(other, ['signal-done', '--round', '1']);
  expect(remote.code).toBe(1);
  expect(remote.stderr).toMatch(/round-1\/done\/fw already exists on origin, by Test Committer <committer@example.invalid> on /);
});

test('a branch already on the remote is not pushed again; --message sets the message', async () => {
  fw.git(['checkout', '-q', '-b', 'fw/round-2']);
  fw.commit('fw: round 2', { 'fw/two.txt': '2\n' });
  fw.git(['push', '-q', 'origin', 'fw/round-2']);
  const result = await cli(fw, ['signal-done', '--round', '2', '--message', 'round 2: parser finished']);
  expect(result.code).toBe(0);
  expect(result.stdout).not.toMatch(/ with fw\/round-2/);
  expect(setup.server.git(['cat-file', 'tag', 'refs/tags/round-2/done/fw'])).toContain('\n\nround 2: parser finished\n');
});

test('--no-push only creates the tag', async () => {
  fw.git(['checkout', '-q', '-b', 'fw/round-3']);
  fw.commit('fw: round 3', { 'fw/three.txt': '3\n' });
  const result = await cli(fw, ['signal-done', '--round', '3', '--no-push']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/created round-3\/done\/fw .*; not pushed\. To push: git push --atomic origin fw\/round-3 refs\/tags\/round-3\/done\/fw/);
  expect(fw.rev('refs/tags/round-3/done/fw')).toMatch(/^[0-9a-f]{40}$/);
  expect(setup.server.tryGit(['rev-parse', '--verify', '--quiet', 'refs/tags/round-3/done/fw']).code).not.toBe(0);
});

test('without a signing key signal-done fails before trying, with the exact commands', async () => {
  const pm = setup.clone('pm-nokey');
  pm.git(['checkout', '-q', '-b', 'pm/round-1']);
  const result = await cli(pm, ['signal-done', '--round', '1']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('no signing key is configured');
  expect(result.stderr).toContain('coord-hooks keys --create --team pm');
  expect(result.stderr).toContain('git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub');
  expect(pm.tryGit(['rev-parse', '--verify', '--quiet', 'refs/tags/round-1/done/pm']).code).not.toBe(0);
});

test('a key that is not listed for the team is rejected by the server; the local tag is deleted for a retry', async () => {
  const pm = setup.clone('pm');
  expect((await cli(pm, ['keys', '--team', 'pm', '--create'])).code).toBe(0);
  pm.git(['checkout', '-q', '-b', 'pm/round-1']);
  pm.commit('pm: round 1', { 'pm/one.txt': '1\n' });
  const result = await cli(pm, ['signal-done', '--round', '1']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/push to origin was rejected; the local tag round-1\/done\/pm was deleted/);
  expect(result.stderr).toMatch(/round-1\/done\/pm: signature does not verify for pm/);
  expect(pm.tryGit(['rev-parse', '--verify', '--quiet', 'refs/tags/round-1/done/pm']).code).not.toBe(0);
  expect(setup.server.tryGit(['rev-parse', '--verify', '--quiet', 'refs/heads/pm/round-1']).code).not.toBe(0);
});

test('OpenPGP: keys prints the export command, and a tag signed with gpg passes the gate', async () => {
  const gnupg = join(setup.root, 'gnupg');
  mkdirSync(gnupg, { mode: 0o700 });
  const env = { ...setup.env, GNUPGHOME: gnupg };
  const gpg = async (args: string[]) => (await runProcess('gpg', ['--batch', '--passphrase', '', '--pinentry-mode', 'loopback', ...args], { env })).stdout;
  await gpg(['--quick-gen-key', 'qa <qa@example.invalid>', 'ed25519', 'sign', '1y']);
  const fpr = primaryFingerprints(await gpg(['--with-colons', '--fingerprint']))[0];
  const qa = setup.clone('qa', { GNUPGHOME: gnupg });
  qa.git(['config', 'gpg.format', 'openpgp']);
  qa.git(['config', 'user.signingkey', fpr]);
  const before = await cli(qa, ['keys', '--team', 'qa'], env);
  expect(before.code).toBe(0);
  expect(before.stdout).toContain(`gpg --armor --export ${fpr} > .coord/openpgp/qa.asc`);
  expect(before.stdout).toMatch(/listed: no, \.coord\/openpgp\/qa\.asc is not on origin\/main yet/);

  const armored = await gpg(['--armor', '--export', fpr]);
  architectCommits('qa OpenPGP key', () => ({ '.coord/openpgp/qa.asc': armored }));
  qa.git(['fetch', '-q', 'origin']);
  expect((await cli(qa, ['keys', '--team', 'qa'], env)).stdout).toMatch(/listed: yes, \.coord\/openpgp\/qa\.asc on origin\/main holds this key/);

  qa.git(['checkout', '-q', '-b', 'qa/round-1']);
  qa.commit('qa: round 1', { 'qa/one.txt': '1\n' });
  const result = await cli(qa, ['signal-done', '--round', '1'], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const tally = await cli(qa, ['tally', '--round', '1', '--json'], env);
  expect(JSON.parse(tally.stdout).rounds[0].teams.qa).toMatchObject({ state: 'done', signer: `qa (Good OpenPGP signature by ${fpr})` });
});

describe('keys are per repository: reused when provably the team\'s, never overwritten, and no hint names a command that would fail', () => {
  /** A HOME of its own (the team's machine), with git's settings from the set-up's HOME. */
  function home(name: string): NodeJS.ProcessEnv {
    const dir = join(setup.root, name);
    mkdirSync(join(dir, '.ssh'), { recursive: true, mode: 0o700 });
    copyFileSync(join(setup.env.HOME!, '.gitconfig'), join(dir, '.gitconfig'));
    return { ...setup.env, HOME: dir };
  }

  test('a second clone of this repository reuses the team key keys --create made (same signers line) and configures this clone with it', async () => {
    const second = setup.clone('fw-second');
    const result = await cli(second, ['keys', '--team', 'fw', '--create']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`reused ${fwKeyPath()}`);
    expect(second.git(['config', 'user.signingkey'])).toBe(`${fwKeyPath()}.pub`);
    // Listed once by the architect (first test), it is listed for this clone too.
    expect(result.stdout).toMatch(/listed: yes, for fw in the signers file on origin\/main/);
  });

  test('a file at the team key path that keys --create did not make is left alone; keys and signal-done give the git config commands, not keys --create', async () => {
    const env = home('home-foreign');
    const path = join(env.HOME!, '.ssh', `coord-hooks-qa-${repositoryId()}_ed25519`);
    await makeSshKey(join(env.HOME!, '.ssh'), `coord-hooks-qa-${repositoryId()}`);
    const before = readFileSync(path, 'utf8');
    const qa = setup.clone('qa-foreign', { HOME: env.HOME });
    const created = await cli(qa, ['keys', '--team', 'qa', '--create'], env);
    expect(created.code).toBe(2);
    expect(created.stderr).toContain(`${path} is not a key coord-hooks made for team qa of this repository`);
    expect(created.stderr).toContain(`git config gpg.format ssh && git config user.signingkey ${path}.pub`);
    expect(readFileSync(path, 'utf8')).toBe(before);

    qa.git(['checkout', '-q', '-b', 'qa/round-9']);
    const done = await cli(qa, ['signal-done', '--round', '9'], env);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain('no signing key is configured');
    expect(done.stderr).toContain(`git config gpg.format ssh && git config user.signingkey ${path}.pub`);
    expect(done.stderr).not.toContain('keys --create --team qa');
    const keys = await cli(qa, ['keys', '--team', 'qa'], env);
    expect(keys.code).toBe(1);
    expect(keys.stdout).not.toContain('keys --create --team qa');
  });

  test('a key made under the old name (~/.ssh/coord-hooks-<team>_ed25519) is reused only when this repository lists it for the team', async () => {
    const env = home('home-legacy');
    const legacy = await makeSshKey(join(env.HOME!, '.ssh'), 'coord-hooks-qa');
    const unlisted = setup.clone('qa-legacy-unlisted', { HOME: env.HOME });
    const fresh = await cli(unlisted, ['keys', '--team', 'qa', '--create'], env);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain(`created ${join(env.HOME!, '.ssh', `coord-hooks-qa-${repositoryId()}_ed25519`)}`);

    architectCommits('list qa\'s old key', ({ signers }) => ({ '.coord/allowed_signers': `${signers}${signersLine('qa', legacy)}\n` }));
    rmSync(join(env.HOME!, '.ssh', `coord-hooks-qa-${repositoryId()}_ed25519`));
    rmSync(join(env.HOME!, '.ssh', `coord-hooks-qa-${repositoryId()}_ed25519.pub`));
    const listed = setup.clone('qa-legacy-listed', { HOME: env.HOME });
    const reused = await cli(listed, ['keys', '--team', 'qa', '--create'], env);
    expect(reused.code).toBe(0);
    expect(reused.stdout).toContain(`reused ${legacy.privatePath}: the signers file of this repository lists it for team qa`);
    expect(listed.git(['config', 'user.signingkey'])).toBe(`${legacy.privatePath}.pub`);
    expect(reused.stdout).toMatch(/listed: yes, for qa/);
  });
});
