/**
 * End to end through gitolite3: gitolite-shell authenticates the user (as sshd's forced command
 * `gitolite-shell <user>` would) and sets GL_USER; gitolite's own update hook checks its access
 * rules, the coord-hooks pre-receive (installed in the repository's hooks directory, beside
 * gitolite's update hook) checks the team policy. The story is fixtures/transports/scenario.ts.
 */
import { lstatSync, readFileSync, readlinkSync } from 'fs';
import { join } from 'path';
import { describeInstalled } from '../../fixtures/prerequisites';
import { transportMissing } from '../../fixtures/transports/common';
import { gitolitePrograms, startGitolite, type GitoliteServer } from '../../fixtures/transports/gitolite';
import { pusherScenario, REJECTED_HEADER, USERS, withoutSidebandSuffix } from '../../fixtures/transports/scenario';
import { HOOK_MARKER } from '../../hooks/install';

jest.setTimeout(60000);

describeInstalled(transportMissing('gitolite', gitolitePrograms().missing), 'git through gitolite3: gitolite-shell sets GL_USER', () => {
  const scenario = pusherScenario({
    transport: 'gitolite',
    variable: 'GL_USER',
    // No claim step: this fixture reaches gitolite-shell through a stand-in for sshd that, like sshd
    // without AcceptEnv, passes nothing of the client's environment, and gitolite-shell sets GL_USER from
    // its argument. The ssh route (SendEnv into an sshd that accepts it) is tried in ssh.test.ts.
    claimRoute: null,
    start: (root, env) => startGitolite({ root, env, users: Object.values(USERS) }),
  });
  beforeAll(scenario.setup);
  afterAll(scenario.teardown);
  for (const step of scenario.steps) test(step.name, step.run);

  test('gitolite keeps the coord-hooks pre-receive: after `gitolite setup`, `compile` and POST_COMPILE it is still ours, beside gitolite\'s update hook, and still rejects', async () => {
    const { context } = scenario;
    const server = context.server as GitoliteServer;
    const hooks = join(server.repoDir, 'hooks');
    await server.gitolite(['setup']);
    await server.gitolite(['compile']);
    await server.gitolite(['trigger', 'POST_COMPILE']);
    expect(readFileSync(join(hooks, 'pre-receive'), 'utf8')).toContain(HOOK_MARKER);
    expect(lstatSync(join(hooks, 'update')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(hooks, 'update'))).toBe(join(server.home, '.gitolite', 'hooks', 'common', 'update'));

    const bob = context.cloneAs(USERS.pm, 'bob-after-setup');
    bob.git(['checkout', '-q', '-b', 'fw/by-bob']);
    bob.commit('fw: written by bob', { 'fw/bob.txt': 'x\n' });
    const outcome = await context.expectRejected(bob, ['HEAD:refs/heads/fw/by-bob'], USERS.pm);
    expect(outcome.remote.map(withoutSidebandSuffix).slice(0, 2)).toEqual([
      `remote: ${REJECTED_HEADER}`,
      `remote:   refs/heads/fw/by-bob: ${USERS.pm} is not a member of team fw and may not push fw/by-bob`,
    ]);
  });

  test('gitolite\'s own access rules still come first: a user gitolite does not know is refused before git runs', () => {
    const { context } = scenario;
    const before = context.serverRepo.git(['for-each-ref']);
    const mallory = context.cloneAs(USERS.fw, 'mallory');
    mallory.git(['remote', 'set-url', 'origin', context.server.remoteFor('mallory').url]);
    mallory.git(['checkout', '-q', '-b', 'fw/by-mallory']);
    mallory.commit('fw: mallory', { 'fw/m.txt': 'm\n' });
    const outcome = context.push(mallory, ['HEAD:refs/heads/fw/by-mallory']);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/FATAL: W any project mallory DENIED by fallthru/);
    expect(context.serverRepo.git(['for-each-ref'])).toBe(before);
  });
});
