/**
 * End to end over smart HTTP: nginx (basic auth, htpasswd) → fcgiwrap → git http-backend, on
 * 127.0.0.1; nginx passes the authenticated user as REMOTE_USER. The coord-hooks gate is installed
 * with installServerHooks. The story is fixtures/transports/scenario.ts.
 */
import { describeInstalled } from '../../fixtures/prerequisites';
import { transportMissing } from '../../fixtures/transports/common';
import { httpPrograms, startHttpGitServer } from '../../fixtures/transports/http';
import { pusherScenario, USERS } from '../../fixtures/transports/scenario';

jest.setTimeout(60000);

describeInstalled(transportMissing('smart HTTP', httpPrograms().missing), 'git over smart HTTP: nginx basic auth sets REMOTE_USER for git http-backend', () => {
  const scenario = pusherScenario({
    transport: 'http',
    variable: 'REMOTE_USER',
    claimRoute: 'HTTP headers Remote-User and X-Remote-User, which reach git http-backend as HTTP_*',
    start: (root, env) => startHttpGitServer({ root, env, users: Object.values(USERS) }),
  });
  beforeAll(scenario.setup);
  afterAll(scenario.teardown);
  for (const step of scenario.steps) test(step.name, step.run);

  test('every push went through nginx as its authenticated user (access log)', () => {
    const log = scenario.context.server.logs();
    for (const user of Object.values(USERS)) expect(log).toMatch(new RegExp(`127\\.0\\.0\\.1 - ${user} \\[[^\\]]+\\] "POST /project\\.git/git-receive-pack HTTP/1\\.1" 200 `));
  });

  test('a wrong password is refused by nginx before git runs (401), and nothing lands', () => {
    const { context } = scenario;
    const { url } = context.server.remoteFor(USERS.fw);
    const before = context.serverRepo.git(['for-each-ref']);
    const alice = context.cloneAs(USERS.fw, 'alice-wrong-password');
    alice.git(['remote', 'set-url', 'origin', url.replace(/:[0-9a-f]{24}@/, ':wrong@')]);
    alice.git(['checkout', '-q', '-b', 'fw/wrong-password']);
    alice.commit('fw: work', { 'fw/w.txt': 'w\n' });
    const outcome = context.push(alice, ['HEAD:refs/heads/fw/wrong-password']);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/Authentication failed|401/);
    expect(context.serverRepo.git(['for-each-ref'])).toBe(before);
  });
});
