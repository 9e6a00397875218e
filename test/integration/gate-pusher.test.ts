/**
 * The server gate in `pusher` identity mode: the host's authenticated user (GL_USER, REMOTE_USER, ...)
 * decides the owning team. Hosts set these variables for receive-pack; a local push passes ours through.
 */
import { makeSetup, push, snapshot, type Setup } from '../../fixtures/server';
import { ROOT_CLAUDE, STANDARD_POLICY, teamClaude } from '../../fixtures/policies';
import type { Repo } from '../../fixtures/repo';

const POLICY: Record<string, string> = {
  ...STANDARD_POLICY,
  'CLAUDE.md': ROOT_CLAUDE.replace('architects: [architect]', 'architects: [carol]\n  identity: pusher'),
  'fw/CLAUDE.md': teamClaude(['fw/', 'experiments/x/'], 'members: [alice, fw-bot]\n'),
  'pm/CLAUDE.md': teamClaude(['pm/'], 'members: [bob]\n'),
};

let setup: Setup;

beforeAll(async () => {
  setup = await makeSetup({ policy: POLICY, architectEnv: { GL_USER: 'carol' } });
});

function as(user: Record<string, string>, name: string): Repo {
  return setup.clone(name, user);
}

function expectRejected(repo: Repo, refspecs: string[], ...fragments: string[]): void {
  const before = snapshot(setup.server);
  const result = push(repo, refspecs);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('coord-hooks: push rejected');
  for (const fragment of fragments) expect(result.output).toContain(fragment);
  expect(snapshot(setup.server)).toBe(before);
}

function expectAccepted(repo: Repo, refspecs: string[]): void {
  const result = push(repo, refspecs);
  if (result.code !== 0) throw new Error(result.output);
}

describe.each([
  ['GL_USER (gitolite)', 'GL_USER'],
  ['REMOTE_USER (smart HTTP)', 'REMOTE_USER'],
  ['GITEA_PUSHER_NAME (Gitea)', 'GITEA_PUSHER_NAME'],
])('pusher from %s', (_label, variable) => {
  test('a member pushes in scope to its team branch: accepted', () => {
    const alice = as({ [variable]: 'alice' }, `alice-${variable}`);
    alice.git(['checkout', '-q', '-b', `fw/${variable}`]);
    alice.commit('fw work', { 'fw/work.txt': variable });
    expectAccepted(alice, [`fw/${variable}`]);
  });

  test('impersonation: a member of fw pushes to pm\'s branch, even with pm-scoped content', () => {
    const alice = as({ [variable]: 'alice' }, `alice2-${variable}`);
    alice.git(['checkout', '-q', '-b', `pm/${variable}`]);
    alice.commit('pm-looking work', { 'pm/plan.md': 'mine\n' });
    expectRejected(alice, [`pm/${variable}`], 'alice is not a member of team pm');
  });

  test('a pm member pushes pm content onto fw\'s branch: rejected', () => {
    const bob = as({ [variable]: 'bob' }, `bob-${variable}`);
    bob.git(['checkout', '-q', '-b', `fw/bob-${variable}`]);
    bob.commit('pm work', { 'pm/plan.md': 'x\n' });
    expectRejected(bob, [`fw/bob-${variable}`], 'bob is not a member of team fw');
  });

  test('a team member updating main: rejected; the architect: accepted without a signature', () => {
    const alice = as({ [variable]: 'alice' }, `alice3-${variable}`);
    alice.commit('to main', { 'fw/main.txt': 'x\n' });
    expectRejected(alice, ['main'], 'only the architect may update the protected branch main', 'pusher: alice');
    const carol = as({ [variable]: 'carol' }, `carol-${variable}`);
    carol.git(['-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', 'architect, unsigned']);
    expectAccepted(carol, ['main']);
  });

  test('an unknown user: rejected', () => {
    const mallory = as({ [variable]: 'mallory' }, `mallory-${variable}`);
    mallory.git(['checkout', '-q', '-b', `fw/m-${variable}`]);
    mallory.commit('fw work', { 'fw/m.txt': 'x\n' });
    expectRejected(mallory, [`fw/m-${variable}`], 'mallory is not a member of team fw');
  });
});

test('no host identity at all: rejected (fail closed)', () => {
  const anonymous = as({}, 'anonymous');
  anonymous.git(['checkout', '-q', '-b', 'fw/anon']);
  anonymous.commit('fw work', { 'fw/a.txt': 'x\n' });
  expectRejected(anonymous, ['fw/anon'], 'the host supplied no pusher');
});

test('a member still cannot write outside the team scope', () => {
  const alice = as({ GL_USER: 'fw-bot' }, 'fw-bot');
  alice.git(['checkout', '-q', '-b', 'fw/bot']);
  alice.commit('oops', { 'pm/x.md': 'x\n' });
  expectRejected(alice, ['fw/bot'], "outside team fw's write scope");
});

describe('two pusher variables (one may come from the client: an sshd that AcceptEnvs it, a header passed through)', () => {
  test('that disagree: rejected, nothing changes, and the message names the server setting', () => {
    const mixed = as({ REMOTE_USER: 'alice', GL_USER: 'carol' }, 'mixed-claim');
    mixed.git(['checkout', '-q', '-b', 'fw/mixed']);
    mixed.commit('fw work', { 'fw/mixed.txt': 'x\n' });
    expectRejected(mixed, ['fw/mixed'], "the host's pusher variables disagree (GL_USER=carol, REMOTE_USER=alice)", 'coord-hooks.pusherVariable');
  });

  test('that agree: accepted', () => {
    const same = as({ REMOTE_USER: 'alice', GL_USER: 'alice' }, 'same-claim');
    same.git(['checkout', '-q', '-b', 'fw/same']);
    same.commit('fw work', { 'fw/same.txt': 'x\n' });
    expectAccepted(same, ['fw/same']);
  });

  test('with coord-hooks.pusherVariable REMOTE_USER, only that one counts: a GL_USER=carol claim does not make alice the architect', () => {
    setup.server.git(['config', 'coord-hooks.pusherVariable', 'REMOTE_USER']);
    try {
      const claim = as({ REMOTE_USER: 'alice', GL_USER: 'carol' }, 'claim-architect');
      claim.commit('architect-only work on main', { 'shared/config.txt': 'changed\n' });
      expectRejected(claim, ['HEAD:refs/heads/main'], 'only the architect may update the protected branch main (pusher: alice)');
      const member = as({ REMOTE_USER: 'alice', GL_USER: 'carol' }, 'claim-member');
      member.git(['checkout', '-q', '-b', 'fw/only-remote-user']);
      member.commit('fw work', { 'fw/only.txt': 'x\n' });
      expectAccepted(member, ['fw/only-remote-user']);
    } finally {
      setup.server.git(['config', '--unset', 'coord-hooks.pusherVariable']);
    }
  });
});
