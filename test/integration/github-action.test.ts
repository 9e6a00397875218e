/**
 * The GitHub Action (action.yml → ci/github-check.sh → `coord-hooks check --format github`) run
 * locally against real repositories, the way a runner would after actions/checkout with fetch-depth 0:
 * fake event JSON files, GITHUB_* variables, and a `coord-hooks` on PATH that runs dist/cli/main.js.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { packageInfo } from '../../core/package-info';
import { runProcess, type ProcessResult } from '../../core/process';
import { escapeData, escapeProperty, workflowCommand } from '../../gate/annotations';
import { STANDARD_POLICY } from '../../fixtures/policies';
import { cloneRepo, initRepo, isolatedEnv, removeDir, Repo, tempDir } from '../../fixtures/repo';

const ROOT = packageInfo().root;
const SCRIPT = join(ROOT, 'ci', 'github-check.sh');
const ZERO = '0'.repeat(40);

/** A path with every character GitHub's property escaping cares about, and one with a newline. */
const ODD_PATH = 'pm/a,b:c%d.md';
const NEWLINE_PATH = 'pm/two\nlines.md';

let root: string;
let env: NodeJS.ProcessEnv;
let shimDir: string;
let hub: Repo;
let dev: Repo;
let events = 0;

beforeAll(() => {
  root = tempDir('coord-hooks-action-');
  const home = join(root, 'home');
  mkdirSync(home);
  writeFileSync(join(home, '.gitconfig'), '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n');
  // Nothing of a real workflow run (when these tests run inside GitHub Actions) may leak in.
  env = isolatedEnv(home);
  for (const name of Object.keys(env)) if (name.startsWith('GITHUB_') || name.startsWith('INPUT_') || name === 'RUNNER_TEMP') delete env[name];
  mkdirSync(join(root, 'checkouts'));
  shimDir = join(root, 'bin');
  mkdirSync(shimDir);
  writeFileSync(join(shimDir, 'coord-hooks'), `#!/bin/sh\nexec '${process.execPath}' '${join(ROOT, 'dist', 'cli', 'main.js')}' "$@"\n`, { mode: 0o755 });

  hub = initRepo(join(root, 'hub.git'), env, { bare: true });
  dev = cloneRepo(hub.dir, join(root, 'dev'), env);
  dev.git(['symbolic-ref', 'HEAD', 'refs/heads/main']);
  dev.commit('policy', STANDARD_POLICY);
  dev.git(['push', '-q', 'origin', 'main']);
  dev.git(['checkout', '-q', '-b', 'fw/round-1']);
  dev.commit('fw: in scope', { 'fw/a.txt': 'a\n' });
  dev.git(['push', '-q', 'origin', 'fw/round-1']);
  dev.git(['checkout', '-q', '-b', 'fw/feature', 'main']);
  dev.commit('fw: feature', { 'fw/b.txt': 'b\n' });
  dev.commit('fw: also touch pm', { [ODD_PATH]: 'x\n', [NEWLINE_PATH]: 'y\n' });
  dev.git(['push', '-q', 'origin', 'fw/feature']);
  dev.git(['checkout', '-q', '-b', 'feature-x', 'main']);
  dev.commit('no team prefix', { 'fw/c.txt': 'c\n' });
  dev.git(['push', '-q', 'origin', 'feature-x']);
});

afterAll(() => removeDir(root));

/** What actions/checkout leaves: a full clone; for pull requests, HEAD detached at the merge of head into base. */
function runnerCheckout(name: string, setup: (repo: Repo) => void): Repo {
  const repo = cloneRepo(hub.dir, join(root, 'checkouts', name), env);
  setup(repo);
  return repo;
}

function pullRequestEvent(base: string, head: string, checkout: Repo) {
  return {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_BASE_REF: base,
    GITHUB_HEAD_REF: head,
    GITHUB_REF_NAME: '7/merge',
    event: {
      number: 7,
      pull_request: { number: 7, base: { ref: base, sha: checkout.rev(`origin/${base}`) }, head: { ref: head, sha: checkout.rev(`origin/${head}`) } },
      repository: { default_branch: 'main' },
    },
  };
}

function prCheckout(name: string, base: string, head: string): Repo {
  return runnerCheckout(name, (repo) => {
    repo.git(['checkout', '-q', '--detach', `origin/${base}`]);
    repo.git(['merge', '-q', '--no-ff', '--no-edit', `origin/${head}`]);
  });
}

function githubEnv(cwd: Repo, spec: { event: object } & Record<string, unknown>, inputs: Record<string, string> = {}): NodeJS.ProcessEnv {
  const eventPath = join(root, `event-${++events}.json`);
  writeFileSync(eventPath, JSON.stringify(spec.event));
  const variables: NodeJS.ProcessEnv = { GITHUB_EVENT_PATH: eventPath, GITHUB_WORKSPACE: cwd.dir, GITHUB_ACTIONS: 'true' };
  for (const [name, value] of Object.entries(spec)) if (name !== 'event') variables[name] = String(value);
  for (const [name, value] of Object.entries(inputs)) variables[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] = value;
  return { ...env, ...variables, PATH: [shimDir, process.env.PATH ?? ''].join(':') };
}

async function runScript(cwd: Repo, variables: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return runProcess('bash', [SCRIPT], { env: variables, cwd: cwd.dir, timeoutMs: 30000 });
}

const commands = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::'));
const summary = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('coord-hooks: ') && !line.startsWith('coord-hooks: judging'));

describe('workflow-command escaping (GitHub\'s rules)', () => {
  test('messages escape %, CR and LF; properties also : and ,', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('pm/a,b:c%d\n.md')).toBe('pm/a%2Cb%3Ac%25d%0A.md');
    expect(workflowCommand('error', { file: 'x:y.md', title: 'coord-hooks' }, 'a%b')).toBe('::error file=x%3Ay.md,title=coord-hooks::a%25b');
  });
});

describe('ci/github-check.sh (the action\'s entry point)', () => {
  test('pull request with out-of-scope files: one ::error per violation on its file, a summary line, exit 1', async () => {
    const checkout = prCheckout('pr-violations', 'main', 'fw/feature');
    const spec = pullRequestEvent('main', 'fw/feature', checkout);
    const result = await runScript(checkout, githubEnv(checkout, spec));
    expect(result.code).toBe(1);
    const culprit = checkout.rev('origin/fw/feature').slice(0, 10);
    const base = spec.event.pull_request.base.sha;
    expect(commands(result.stdout).sort()).toEqual([
      `::error file=pm/a%2Cb%3Ac%25d.md,title=coord-hooks::pm/a,b:c%25d.md: outside team fw's write scope; it belongs to team pm (commit ${culprit} "fw: also touch pm")`,
      `::error file=pm/two%0Alines.md,title=coord-hooks::"pm/two\\nlines.md": outside team fw's write scope; it belongs to team pm (commit ${culprit} "fw: also touch pm")`,
    ].sort());
    expect(summary(result.stdout)).toEqual([`coord-hooks: 2 violation(s) in ${base}..fw/feature for team fw (policy from origin/main)`]);
  });

  test('pull request inside the scope: no annotation, an ok summary, exit 0', async () => {
    const checkout = prCheckout('pr-ok', 'main', 'fw/round-1');
    const spec = pullRequestEvent('main', 'fw/round-1', checkout);
    const result = await runScript(checkout, githubEnv(checkout, spec));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(commands(result.stdout)).toEqual([]);
    expect(summary(result.stdout)).toEqual([`coord-hooks: ok: 1 commit(s) in ${spec.event.pull_request.base.sha}..fw/round-1 stay inside team fw's scope (policy from origin/main)`]);
  });

  test('pull request from a round branch: the branch name reaches check, so the team\'s REPLY.md there is allowed', async () => {
    dev.git(['checkout', '-q', '-b', 'fw/round-2', 'main']);
    dev.commit('fw: reply for round 2', { 'rounds/2/fw/REPLY.md': 'done\n' });
    dev.git(['push', '-q', 'origin', 'fw/round-2']);
    const checkout = prCheckout('pr-round', 'main', 'fw/round-2');
    const result = await runScript(checkout, githubEnv(checkout, pullRequestEvent('main', 'fw/round-2', checkout)));
    expect(commands(result.stdout)).toEqual([]);
    expect(result.code).toBe(0);
  });

  test('push to a team branch: judges before..after of the event', async () => {
    const before = dev.rev('fw/round-1');
    dev.git(['checkout', '-q', 'fw/round-1']);
    dev.commit('fw: in scope again', { 'fw/d.txt': 'd\n' });
    const bad = dev.commit('fw: touch shared', { 'shared/config.txt': 'changed\n' });
    dev.git(['push', '-q', 'origin', 'fw/round-1']);
    const checkout = runnerCheckout('push', (repo) => repo.git(['checkout', '-q', '-B', 'fw/round-1', 'origin/fw/round-1']));
    const spec = { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'fw/round-1', GITHUB_REF_TYPE: 'branch', event: { ref: 'refs/heads/fw/round-1', before, after: bad, repository: { default_branch: 'main' } } };
    const result = await runScript(checkout, githubEnv(checkout, spec));
    expect(result.code).toBe(1);
    expect(commands(result.stdout)).toEqual([
      `::error file=shared/config.txt,title=coord-hooks::shared/config.txt: outside team fw's write scope; no team may write it (commit ${bad.slice(0, 10)} "fw: touch shared")`,
    ]);
    expect(summary(result.stdout)).toEqual([`coord-hooks: 1 violation(s) in ${before}..fw/round-1 for team fw (policy from origin/main)`]);
  });

  test('push creating a branch (before = 000…): its commits that are not on the protected branch', async () => {
    const checkout = runnerCheckout('push-new', (repo) => repo.git(['checkout', '-q', '-B', 'fw/feature', 'origin/fw/feature']));
    const spec = { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'fw/feature', event: { ref: 'refs/heads/fw/feature', before: ZERO, after: checkout.rev('HEAD'), repository: { default_branch: 'main' } } };
    const result = await runScript(checkout, githubEnv(checkout, spec));
    expect(result.code).toBe(1);
    expect(commands(result.stdout)).toHaveLength(2);
    expect(summary(result.stdout)).toEqual(['coord-hooks: 2 violation(s) in fw/feature (commits not on origin/main, main) for team fw (policy from origin/main)']);
  });

  test('inputs override the defaults: team pm judges the same pull request differently', async () => {
    const checkout = prCheckout('pr-team-input', 'main', 'fw/feature');
    const spec = pullRequestEvent('main', 'fw/feature', checkout);
    const result = await runScript(checkout, githubEnv(checkout, spec, { team: 'pm', 'policy-from': 'origin/main' }));
    expect(result.code).toBe(1);
    // As pm, the pm files are fine and fw's file is not.
    expect(commands(result.stdout)).toEqual([expect.stringMatching(/^::error file=fw\/b\.txt,title=coord-hooks::fw\/b\.txt: outside team pm's write scope; it belongs to team fw \(commit [0-9a-f]{10} "fw: feature"\)$/)]);
  });

  test('a branch that names no team, without the team input: ::error and exit 2 (fails closed)', async () => {
    const checkout = prCheckout('pr-no-team', 'main', 'feature-x');
    const result = await runScript(checkout, githubEnv(checkout, pullRequestEvent('main', 'feature-x', checkout)));
    expect(result.code).toBe(2);
    expect(commands(result.stdout)).toEqual(['::error title=coord-hooks::cannot tell the team: branch "feature-x" is not named <team>/…; set the team input of the coord-hooks action']);
  });

  test('a team the policy does not know: check exits 2 and the script says so as an annotation', async () => {
    const checkout = prCheckout('pr-unknown-team', 'main', 'fw/round-1');
    const result = await runScript(checkout, githubEnv(checkout, pullRequestEvent('main', 'fw/round-1', checkout), { team: 'nope' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no team "nope" in the policy');
    expect(commands(result.stdout)).toEqual(['::error title=coord-hooks::coord-hooks check could not decide (exit 2): see the log above']);
  });

  test('push to the protected branch, or a tag: nothing to check (notice), exit 0', async () => {
    const checkout = runnerCheckout('push-main', (repo) => repo.git(['checkout', '-q', 'main']));
    const main = { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'main', event: { ref: 'refs/heads/main', before: ZERO, after: checkout.rev('HEAD'), repository: { default_branch: 'main' } } };
    const onMain = await runScript(checkout, githubEnv(checkout, main));
    expect(onMain.code).toBe(0);
    expect(commands(onMain.stdout)).toEqual([expect.stringMatching(/^::notice title=coord-hooks::push to the protected branch main/)]);
    const tag = { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'v1', GITHUB_REF_TYPE: 'tag', event: { ref: 'refs/tags/v1', before: ZERO, after: checkout.rev('HEAD') } };
    const onTag = await runScript(checkout, githubEnv(checkout, tag));
    expect(onTag.code).toBe(0);
    expect(commands(onTag.stdout)).toEqual([expect.stringMatching(/^::notice title=coord-hooks::tag push/)]);
  });
});

describe('action.yml', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default: string }>;
    runs: { using: string; steps: { shell: string; run: string; env: Record<string, string> }[] };
  };

  test('is a composite action with the inputs team, range, policy-from', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['team', 'range', 'policy-from']));
    expect(action.runs.steps).toHaveLength(1);
  });

  test('its step, run as a runner would (inputs substituted, bash -eo pipefail), fails the pull request with the annotations', async () => {
    const [step] = action.runs.steps;
    const checkout = prCheckout('pr-action', 'main', 'fw/feature');
    const inputs: Record<string, string> = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default]));
    const stepEnv: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(step.env)) {
      stepEnv[name] = value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, input: string) => inputs[input] ?? '');
    }
    const variables = { ...githubEnv(checkout, pullRequestEvent('main', 'fw/feature', checkout)), ...stepEnv, GITHUB_ACTION_PATH: ROOT };
    expect(step.shell).toBe('bash');
    const result = await runProcess('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { env: variables, cwd: checkout.dir, timeoutMs: 30000 });
    expect(result.code).toBe(1);
    expect(commands(result.stdout).map((line) => line.split('::')[1])).toEqual(['error file=pm/a%2Cb%3Ac%25d.md,title=coord-hooks', 'error file=pm/two%0Alines.md,title=coord-hooks']);
  });
});

describe('ci/gitlab-ci.yml (merge-request job template)', () => {
  const config = parse(readFileSync(join(ROOT, 'ci', 'gitlab-ci.yml'), 'utf8')) as Record<string, { extends?: string; rules?: { if: string }[]; script?: string[]; variables?: Record<string, string> }>;

  test('a hidden template job on merge requests, with the full history, and a job extending it', () => {
    const template = config['.coord-hooks-check'];
    expect(template.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(template.variables?.GIT_DEPTH).toBe('0');
    expect(config['coord-hooks'].extends).toBe('.coord-hooks-check');
  });

  test('its script, run with sh in a merge-request checkout, prints the JSON verdict and exits 1 on violations', async () => {
    const [script] = config['.coord-hooks-check'].script!;
    const checkout = runnerCheckout('gitlab-mr', (repo) => repo.git(['checkout', '-q', '--detach', 'origin/fw/feature']));
    const variables: NodeJS.ProcessEnv = {
      ...env,
      PATH: [shimDir, process.env.PATH ?? ''].join(':'),
      CI: 'true',
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'fw/feature',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_MERGE_REQUEST_DIFF_BASE_SHA: checkout.git(['merge-base', 'origin/main', 'HEAD']),
      CI_COMMIT_SHA: checkout.rev('HEAD'),
    };
    const result = await runProcess('sh', ['-e', '-c', script], { env: variables, cwd: checkout.dir, timeoutMs: 30000 });
    expect(result.code).toBe(1);
    const verdict = JSON.parse(result.stdout) as { ok: boolean; team: string; violations: { path: string }[] };
    expect(verdict.ok).toBe(false);
    expect(verdict.team).toBe('fw');
    expect(verdict.violations.map((violation) => violation.path).sort()).toEqual([ODD_PATH, NEWLINE_PATH].sort());
    expect(JSON.parse(readFileSync(join(checkout.dir, 'coord-hooks.json'), 'utf8'))).toEqual(verdict);
  });
});
