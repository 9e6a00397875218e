/**
 * End to end over ssh: a real sshd on 127.0.0.1 (own host key and config), one key per person with a
 * forced command that sets GL_USER (the gitolite pattern) and runs git-shell; the coord-hooks gate
 * installed with installServerHooks. The story is fixtures/transports/scenario.ts.
 */
import { describeInstalled } from '../../fixtures/prerequisites';
import { transportMissing } from '../../fixtures/transports/common';
import { pusherScenario, USERS } from '../../fixtures/transports/scenario';
import { sshPrograms, startSshGitServer } from '../../fixtures/transports/ssh';

jest.setTimeout(60000);

describeInstalled(transportMissing('ssh', sshPrograms().missing), 'git over ssh: sshd, a forced command per key sets GL_USER', () => {
  const scenario = pusherScenario({
    transport: 'ssh',
    variable: 'GL_USER',
    claimRoute: 'every pusher variable the gate reads, sent with SendEnv to an sshd configured to AcceptEnv them',
    claimArrivesAsPusherVariable: true,
    start: (root, env) => startSshGitServer({ root, env, users: Object.values(USERS) }),
  });
  beforeAll(scenario.setup);
  afterAll(scenario.teardown);
  for (const step of scenario.steps) test(step.name, step.run);

  test('sshd authenticated every user by key (its log)', () => {
    const log = scenario.context.server.logs();
    expect(log.match(/Accepted publickey for \S+ from 127\.0\.0\.1/g)?.length).toBeGreaterThanOrEqual(6);
  });
});
