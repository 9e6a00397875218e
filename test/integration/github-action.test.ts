/**
 * The GitHub Action run as GitHub runs it: every `run:` step of action.yml, its `${{ }}` expressions
 * substituted, in a script file executed with `bash --noprofile --norc -eo pipefail`, in a workspace
 * made the way actions/checkout (fetch-depth 0, persist-credentials false) leaves it, with the
 * variables and files a runner provides (GITHUB_EVENT_PATH holding a payload of GitHub's shape,
 * GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP, GITHUB_ACTION_PATH …). PATH holds node and git
 * only: no coord-hooks, no npx; npm is offline with an unreachable registry. The hosted repository,
 * its fork and the refs GitHub writes (refs/pull/N/head, refs/pull/N/merge) are real repositories.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { packageInfo } from '../../core/package-info';
import { runProcess, type ProcessResult } from '../../core/process';
import { escapeData, escapeProperty, workflowCommand } from '../../gate/annotations';
import { actionsCheckout, branchThatMergedMain, findTool, hostedWorld, publishPullRequest, pushBranch, type HostedWorld } from '../../fixtures/hosted';
import { removeDir, type Repo } from '../../fixtures/repo';

const ROOT = packageInfo().root;
const TOKEN = 'ghs_test-token-never-stored';

interface Step { id?: string; shell: string; run: string; env?: Record<string, string> }
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};

let world: HostedWorld;
let bin: string;
/** The runner finds bash on its own PATH; the step's PATH is the job's. */
let bash: string;
let runs = 0;

beforeAll(() => {
  world = hostedWorld('coord-hooks-action-');
  // The runner's PATH for these tests: node and git, nothing else (no coord-hooks, no npx).
  bin = join(world.root, 'bin');
  mkdirSync(bin);
  const which = (tool: string) => findTool(tool, 'these tests run the action with bash, node and git');
  for (const tool of ['node', 'git']) symlinkSync(which(tool), join(bin, tool));
  bash = which('bash');
});

afterAll(() => removeDir(world.root));

/** `${{ inputs.X }}` and `${{ github.token }}` as the runner evaluates them. */
function expression(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (name === 'github.token') return TOKEN;
    if (name.startsWith('inputs.')) {
      const input = name.slice('inputs.'.length);
      return inputs[input] ?? expression(action.inputs[input]?.default ?? '', inputs);
    }
    throw new Error(`expression ${name} is not provided by this runner`);
  });
}

interface RunResult extends ProcessResult {
  annotations: string[];
  errors: string[];
  summary: string;
  outputs: Record<string, string>;
  verdict?: { judgedAs: string; why: string; commits: number; violations: { path: string; why: string }[]; mergeBase: string | null; notes: string[] };
}

/** Runs every step of action.yml for one event, as a GitHub runner would. */
async function runAction(workspace: Repo, eventName: string, event: object, extra: Record<string, string> = {}): Promise<RunResult> {
  const run = join(world.root, 'runner', String(++runs));
  mkdirSync(join(run, 'temp'), { recursive: true });
  const files = { event: join(run, 'event.json'), summary: join(run, 'summary.md'), output: join(run, 'output.txt') };
  writeFileSync(files.event, JSON.stringify(event, null, 2));
  writeFileSync(files.summary, '');
  writeFileSync(files.output, '');
  const runner: NodeJS.ProcessEnv = {
    HOME: world.env.HOME,
    PATH: bin,
    GIT_CONFIG_NOSYSTEM: '1',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_WORKSPACE: workspace.dir,
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    GITHUB_REPOSITORY: 'org/proj',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_ACTOR: 'someone',
    RUNNER_TEMP: join(run, 'temp'),
    // Nothing may come from a registry: npm is offline and its registry unreachable.
    npm_config_offline: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
    ...extra,
  };
  let result: ProcessResult = { code: 0, stdout: '', stderr: '' } as ProcessResult;
  let stdout = '';
  let stderr = '';
  expect(action.runs.using).toBe('composite');
  for (const [index, step] of action.runs.steps.entries()) {
    expect(step.shell).toBe('bash');
    const script = join(run, `step-${index}.sh`);
    writeFileSync(script, expression(step.run, {}));
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, expression(value, {})]));
    result = await runProcess(bash, ['--noprofile', '--norc', '-eo', 'pipefail', script], { env: { ...runner, ...stepEnv }, cwd: workspace.dir, timeoutMs: 60000 });
    stdout += result.stdout;
    stderr += result.stderr;
    if (result.code !== 0) break;
  }
  const annotations = stdout.split('\n').filter((line) => line.startsWith('::'));
  const outputs = Object.fromEntries(readFileSync(files.output, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const verdictFile = join(run, 'temp', 'coord-hooks-verdict.json');
  return {
    ...result, stdout, stderr, annotations, outputs,
    errors: annotations.filter((line) => line.startsWith('::error')),
    summary: readFileSync(files.summary, 'utf8'),
    verdict: existsSync(verdictFile) ? JSON.parse(readFileSync(verdictFile, 'utf8')) : undefined,
  };
}

const REPO = { full_name: 'org/proj', fork: false, default_branch: 'main' };
const FORK = { full_name: 'mallory/proj', fork: true, default_branch: 'main' };

/** A pull_request payload as GitHub sends it (the fields coord-hooks reads, and their neighbours). */
function pullRequestEvent(spec: { number: number; author: string; sender?: string; branch: string; head: string; baseSha: string; fromFork?: boolean }) {
  return {
    action: 'synchronize',
    number: spec.number,
    pull_request: {
      number: spec.number,
      state: 'open',
      user: { login: spec.author, type: 'User' },
      head: { ref: spec.branch, sha: spec.head, label: `${spec.fromFork ? 'mallory' : 'org'}:${spec.branch}`, repo: spec.fromFork ? FORK : REPO, user: { login: spec.fromFork ? 'mallory' : 'org' } },
      base: { ref: 'main', sha: spec.baseSha, label: 'org:main', repo: REPO, user: { login: 'org' } },
    },
    repository: REPO,
    sender: { login: spec.sender ?? spec.author, type: 'User' },
  };
}

/** Opens (or updates) pull request `number` from `clone`'s branch, as GitHub would; returns its payload and the runner's checkout. */
function openPullRequest(number: number, clone: Repo, branch: string, commits: { message: string; files: Record<string, string> }[], spec: { author: string; sender?: string; fromFork?: boolean }) {
  const baseSha = world.hub.rev('main');
  const head = pushBranch(clone, world, branch, commits);
  publishPullRequest(world, clone, head, `refs/pull/${number}/head`, `refs/pull/${number}/merge`);
  const event = pullRequestEvent({ number, branch, head, baseSha, ...spec });
  return { head, event, checkout: actionsCheckout(world, `pr-${number}-${runs}`, { merge: `refs/pull/${number}/merge` }) };
}

const paths = (result: RunResult) => result.verdict?.violations.map((violation) => violation.path).sort();

describe('the action is its own code: a committed bundle, nothing fetched by name', () => {
  test('ci/coord-hooks.cjs is exactly what scripts/bundle.mjs builds from these sources', async () => {
    const fresh = await runProcess(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), '--stdout'], { env: process.env, cwd: ROOT, timeoutMs: 180000 });
    expect(fresh.stderr).toBe('');
    expect(fresh.code).toBe(0);
    const committed = readFileSync(join(ROOT, 'ci', 'coord-hooks.cjs'), 'utf8');
    // On failure: run `npm run bundle` and commit ci/coord-hooks.cjs.
    expect(fresh.stdout === committed).toBe(true);
  }, 200000);

  test('action.yml runs node on the bundle from the action\'s own path; no npx, no package name, token only as an env value', () => {
    const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    expect(text).not.toMatch(/npx|npm (i|install|exec)|package:/);
    expect(action.runs.steps.map((step) => step.run).join('\n')).toContain('node "$GITHUB_ACTION_PATH/ci/coord-hooks.cjs" ci github');
    expect(action.inputs.token.default).toBe('${{ github.token }}');
    expect(Object.keys(action.outputs).sort()).toEqual(['judged-as', 'ok', 'verdict-file', 'violations']);
  });

  test('the workflow docs/hosting.md gives runs with least privilege: read-only token, no persisted credentials, every action pinned by commit', () => {
    const section = readFileSync(join(ROOT, 'docs', 'hosting.md'), 'utf8').split('## GitHub.com: the Action as a required status check')[1];
    const workflow = parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.on).sort()).toEqual(['merge_group', 'pull_request', 'push']);
    const steps = workflow.jobs.scope.steps;
    expect(steps.find((step) => step.uses?.startsWith('actions/checkout@'))?.with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    for (const step of steps.filter((step) => step.uses)) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@([0-9a-f]{40}|FULL_COMMIT_SHA)$/);
  });

  test('the runner PATH of these tests has node and git but no coord-hooks and no npx', async () => {
    const probe = await runProcess(bash, ['--noprofile', '--norc', '-c', 'command -v node git; command -v coord-hooks npx || echo none'], { env: { PATH: bin }, cwd: world.root, timeoutMs: 10000 });
    expect(probe.stdout.trim().split('\n')).toEqual([join(bin, 'node'), join(bin, 'git'), 'none']);
  });

  test('without node 20 on PATH the step fails with an annotation that says what to add', async () => {
    const workspace = actionsCheckout(world, 'no-node', { branch: 'main' });
    const empty = join(world.root, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    const result = await runAction(workspace, 'push', { ref: 'refs/heads/main', after: world.hub.rev('main'), repository: REPO, sender: { login: 'carol' } }, { PATH: empty });
    expect(result.code).toBe(2);
    expect(result.errors).toEqual(['::error title=coord-hooks::node 20 or later is not on PATH: add actions/setup-node (pinned by commit SHA) with node-version 20 before this step']);
  });
});

describe('pull requests from branches of the repository', () => {
  test('an author of team fw writing pm\'s files: an annotation per file, the summary table, outputs, exit 1; the token stays out of .git/config', async () => {
    const { head, event, checkout } = openPullRequest(1, world.dev, 'fw/feature', [
      { message: 'fw: feature', files: { 'fw/b.txt': 'b\n' } },
      { message: 'fw: also touch pm', files: { 'pm/a,b:c%d.md': 'x\n', 'pm/two\nlines.md': 'y\n' } },
    ], { author: 'alice' });
    const result = await runAction(checkout, 'pull_request', event, { GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'fw/feature', GITHUB_REF: 'refs/pull/1/merge', GITHUB_ACTOR: 'alice' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const culprit = head.slice(0, 10);
    expect(result.errors.sort()).toEqual([
      `::error file=pm/a%2Cb%3Ac%25d.md,title=coord-hooks::pm/a,b:c%25d.md: outside team fw's write scope; it belongs to team pm (commit ${culprit} "fw: also touch pm")`,
      `::error file=pm/two%0Alines.md,title=coord-hooks::"pm/two\\nlines.md": outside team fw's write scope; it belongs to team pm (commit ${culprit} "fw: also touch pm")`,
    ].sort());
    expect(result.summary).toContain('## coord-hooks: 2 violation(s)');
    expect(result.summary).toContain('| judged | pull request #1 by @alice, judged as team **fw**: @alice is in team fw\'s accounts (fw/CLAUDE.md:6:12) |');
    expect(result.summary).toMatch(/\| commits \| 2 in fw\/feature [0-9a-f]{10} \(commits not on origin\/main [0-9a-f]{10}\) \|/);
    expect(result.summary).toContain(`| 1 | \`pm/a,b:c%d.md\` | \`${culprit}\` fw: also touch pm | outside team fw's write scope; it belongs to team pm |`);
    expect(result.summary).toContain('| 2 | `"pm/two\\nlines.md"` |');
    expect(result.outputs).toMatchObject({ ok: 'false', 'judged-as': 'fw', violations: '2' });
    expect(result.verdict?.judgedAs).toBe('fw');
    expect(readFileSync(join(checkout.dir, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
  });

  test('in scope: no annotation, an ok summary, exit 0', async () => {
    const { event, checkout } = openPullRequest(2, world.dev, 'fw/ok', [{ message: 'fw: ok', files: { 'fw/ok.txt': 'ok\n' } }], { author: 'alice' });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.summary).toContain('## coord-hooks: in scope (1 commit(s))');
    expect(result.outputs).toMatchObject({ ok: 'true', 'judged-as': 'fw', violations: '0' });
  });

  test('the author decides, not the branch name: paula (pm) on a branch named fw/… is judged as pm', async () => {
    const { event, checkout } = openPullRequest(3, world.dev, 'fw/by-paula', [{ message: 'pm work on an fw-named branch', files: { 'pm/plan.md': 'plan\n', 'fw/x.txt': 'x\n' } }], { author: 'paula' });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(1);
    expect(result.outputs['judged-as']).toBe('pm');
    expect(paths(result)).toEqual(['fw/x.txt']);
    expect(result.verdict?.why).toBe('@paula is in team pm\'s accounts (pm/CLAUDE.md:6:12); the branch name fw/by-paula names team fw, but the author decides');
  });

  test('an author in no team\'s accounts on a branch <team>/… of this repository: the branch names the team (rulesets on fw/** say who may push there)', async () => {
    const { event, checkout } = openPullRequest(4, world.dev, 'fw/by-bob', [{ message: 'bob in fw', files: { 'fw/bob.txt': 'b\n' } }], { author: 'bob' });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(0);
    expect(result.outputs['judged-as']).toBe('fw');
    expect(result.verdict?.why).toBe('branch fw/by-bob of this repository names team fw (@bob is in no team\'s github accounts)');
  });

  test('the architect\'s account: everything in scope, judged as the architect', async () => {
    const { event, checkout } = openPullRequest(5, world.dev, 'arch/reshape', [{ message: 'architect touches everything', files: { 'pm/x.md': 'x\n', 'shared/config.txt': 'new\n', 'fw/CLAUDE.md': '# no front-matter\n' } }], { author: 'carol' });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(0);
    expect(result.outputs['judged-as']).toBe('architect');
  });

  test('commits pushed by someone other than the author: judged as the author\'s, and the summary says who pushed and whose commits they are', async () => {
    const { event, checkout } = openPullRequest(6, world.dev, 'fw/shared-pr', [{ message: 'alice', files: { 'fw/s.txt': 's\n' } }], { author: 'alice', sender: 'paula' });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(0);
    expect(result.summary).toContain('| pushed by | @paula (not the author): the commits are still judged as the author\'s |');
    expect(result.summary).toContain('| commit authors | Test Author &lt;author@example.invalid> (1) |');
  });

  test('more violations than GitHub shows: 9 annotations on files, a 10th with the count, and every one in the summary table', async () => {
    const files = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`pm/many-${String(i).padStart(2, '0')}.md`, `${i}\n`]));
    const { event, checkout } = openPullRequest(7, world.dev, 'fw/many', [{ message: 'fw: 25 pm files ![x](https://x.invalid/a.png) [see](https://x.invalid)', files }], { author: 'alice' });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(1);
    expect(result.errors).toHaveLength(10);
    expect(result.errors.slice(0, 9).every((line) => line.startsWith('::error file=pm/many-'))).toBe(true);
    expect(result.errors[9]).toMatch(/^::error title=coord-hooks::\.\.\. and 16 more violation\(s\) \(GitHub shows 10 annotations per step\); the job summary lists them all \(and .*coord-hooks-verdict\.json\)$/);
    const rows = result.summary.split('\n').filter((line) => /^\| [0-9]+ \| `pm\/many-/.test(line));
    expect(rows).toHaveLength(25);
    // Commit subjects are anyone's text: no image or link reaches the summary as Markdown.
    expect(rows[0]).toContain('fw: 25 pm files \\!\\[x\\](https://x.invalid/a.png) \\[see\\](https://x.invalid) |');
    expect(result.verdict?.violations).toHaveLength(25);
  });
});

describe('the range: commits of the head that are not on the base branch as it is now', () => {
  test('a stale base: main moved (and narrowed fw\'s scope) after the checkout and the event; the action fetches main at run time and judges by the current policy', async () => {
    const number = 10;
    const { head, event, checkout } = openPullRequest(number, world.dev, 'fw/experiment', [{ message: 'fw: experiment', files: { 'experiments/x/run.txt': 'r\n' } }], { author: 'alice' });
    // Before the job's step runs, the architect takes experiments/x/ away from fw.
    world.arch.git(['pull', '-q', 'origin', 'main']);
    world.arch.commit('policy: experiments/x/ is no longer fw\'s', { 'fw/CLAUDE.md': readFileSync(join(world.arch.dir, 'fw', 'CLAUDE.md'), 'utf8').replace(', "experiments/x/"', '') });
    world.arch.git(['push', '-q', 'origin', 'main']);
    const current = world.hub.rev('main');
    expect(checkout.rev('origin/main')).not.toBe(current);
    expect(event.pull_request.base.sha).not.toBe(current);
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(1);
    expect(paths(result)).toEqual(['experiments/x/run.txt']);
    expect(result.summary).toContain(`| policy | origin/main ${current.slice(0, 10)} |`);
    // What judging against the event's base.sha (the old way) would have said: nothing wrong.
    const stale = await runProcess(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'check', '--team', 'fw', '--policy-from', event.pull_request.base.sha, `${event.pull_request.base.sha}..${head}`], { env: world.env, cwd: checkout.dir, timeoutMs: 30000 });
    expect(stale.code).toBe(0);
  });

  test('a team merging main into its branch: the architect\'s commits on main are not the team\'s violations', async () => {
    const number = 11;
    const baseSha = world.hub.rev('main');
    // The architect lands work on main that no team may write, then fw merges main and goes on.
    const head = branchThatMergedMain(world, 'fw/sync', { 'shared/config.txt': 'architect\n', 'pm/roadmap.md': 'roadmap\n' });
    publishPullRequest(world, world.dev, head, `refs/pull/${number}/head`, `refs/pull/${number}/merge`);
    const checkout = actionsCheckout(world, `pr-${number}`, { merge: `refs/pull/${number}/merge` });
    // GitHub's payload still carries the base as it was when the pull request was opened.
    const event = pullRequestEvent({ number, author: 'alice', branch: 'fw/sync', head, baseSha });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.verdict?.commits).toBe(3); // before sync, the merge, after sync: not the architect's commit
    expect(result.verdict?.mergeBase).toBe(world.hub.rev('main'));
    // The old range base.sha..head would have blamed fw for the architect's files.
    const old = await runProcess(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'check', '--json', '--team', 'fw', '--policy-from', 'origin/main', `${baseSha}..${head}`], { env: world.env, cwd: checkout.dir, timeoutMs: 30000 });
    expect(old.code).toBe(1);
    expect((JSON.parse(old.stdout) as { violations: { path: string }[] }).violations.map((violation) => violation.path).sort()).toEqual(['pm/roadmap.md', 'shared/config.txt']);
  });
});

describe('the policy', () => {
  test('a pull request into a team branch that rewrote its own CLAUDE.md is judged by the policy of main', async () => {
    const number = 13;
    pushBranch(world.dev, world, 'fw/base', [{ message: 'fw: widen my own scope', files: { 'fw/CLAUDE.md': readFileSync(join(world.dev.dir, 'fw', 'CLAUDE.md'), 'utf8').replace('"fw/", ', '"fw/", "pm/", ') } }]);
    world.dev.git(['checkout', '-q', '-b', 'fw/into-base']);
    const head = world.dev.commit('fw: pm file', { 'pm/taken.md': 't\n' });
    world.dev.git(['push', '-q', 'origin', 'fw/into-base']);
    publishPullRequest(world, world.dev, head, `refs/pull/${number}/head`, `refs/pull/${number}/merge`);
    const checkout = actionsCheckout(world, `pr-${number}`, { merge: `refs/pull/${number}/merge` });
    const event = pullRequestEvent({ number, author: 'alice', branch: 'fw/into-base', head, baseSha: world.hub.rev('fw/base') });
    const result = await runAction(checkout, 'pull_request', { ...event, pull_request: { ...event.pull_request, base: { ...event.pull_request.base, ref: 'fw/base' } } });
    expect(result.code).toBe(1);
    expect(paths(result)).toEqual(['pm/taken.md']);
    expect(result.verdict?.commits).toBe(1);
    expect(result.summary).toContain(`| policy | origin/main ${world.hub.rev('main').slice(0, 10)} |`);
  });
});

describe('when the host cannot be reached', () => {
  test('the base cannot be fetched: judged against the checkout\'s copy, with a warning; a head that is not there: exit 2 (fails closed)', async () => {
    const { event, checkout } = openPullRequest(12, world.dev, 'fw/offline', [{ message: 'fw: offline', files: { 'fw/off.txt': 'o\n' } }], { author: 'alice' });
    checkout.git(['remote', 'set-url', 'origin', join(world.root, 'gone.git')]);
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(0);
    expect(result.annotations.filter((line) => line.startsWith('::warning'))).toEqual([expect.stringMatching(/^::warning title=coord-hooks::could not fetch main from origin \(.*\): judged against the checkout's origin\/main [0-9a-f]{10}, which may be older$/)]);
    const missing = await runAction(checkout, 'pull_request', { ...event, pull_request: { ...event.pull_request, head: { ...event.pull_request.head, sha: 'f'.repeat(40) } } });
    expect(missing.code).toBe(2);
    expect(missing.errors).toEqual([expect.stringMatching(/^::error title=coord-hooks::could not decide, so the check fails: commit f{40} is not in this checkout \(fetching it failed: .*\) \(use actions\/checkout with fetch-depth: 0/)]);
  });
});

describe('pull requests from forks', () => {
  test('a fork claiming team fw by its branch name: judged as no team, every path reported, exit 1', async () => {
    const { event, checkout } = openPullRequest(20, world.forkDev, 'fw/claim', [{ message: 'looks like fw work', files: { 'fw/innocent.txt': 'i\n', 'fw/more.txt': 'm\n' } }], { author: 'mallory', fromFork: true });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(1);
    expect(result.outputs['judged-as']).toBe('nobody');
    expect(paths(result)).toEqual(['fw/innocent.txt', 'fw/more.txt']);
    const why = '@mallory is in no team\'s github accounts and the commits come from a fork; its branch name fw/claim names team fw, which a fork cannot claim';
    expect(result.verdict?.why).toBe(why);
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toContain(`fw/innocent.txt: not in any scope: ${why}`);
    expect(result.summary).toContain('| to fix | list "mallory" under accounts: github: in the team\'s CLAUDE.md front-matter');
  });

  test('a fork whose author is in team fw\'s accounts: judged as fw', async () => {
    const { event, checkout } = openPullRequest(21, world.forkDev, 'patch-1', [{ message: 'alice from her fork', files: { 'fw/from-fork.txt': 'f\n' } }], { author: 'alice', fromFork: true });
    const result = await runAction(checkout, 'pull_request', event);
    expect(result.code).toBe(0);
    expect(result.outputs['judged-as']).toBe('fw');
  });

  test('pull_request_target: the checkout is the base branch; the head is fetched as objects from refs/pull/N/head, never checked out', async () => {
    const number = 22;
    const baseSha = world.hub.rev('main');
    const head = pushBranch(world.forkDev, world, 'fw/target', [{ message: 'fork via target', files: { 'fw/t.txt': 't\n', 'package.json': '{"scripts":{"postinstall":"echo pwned"}}\n' } }]);
    publishPullRequest(world, world.forkDev, head, `refs/pull/${number}/head`);
    const checkout = actionsCheckout(world, `target-${number}`, { branch: 'main' });
    expect(checkout.tryGit(['cat-file', '-e', head]).code).not.toBe(0);
    const event = pullRequestEvent({ number, author: 'mallory', branch: 'fw/target', head, baseSha, fromFork: true });
    const result = await runAction(checkout, 'pull_request_target', event);
    expect(result.code).toBe(1);
    expect(paths(result)).toEqual(['fw/t.txt', 'package.json']);
    // The work tree is still main's: nothing of the pull request was checked out.
    expect(checkout.git(['rev-parse', 'HEAD'])).toBe(world.hub.rev('main'));
    expect(existsSync(join(checkout.dir, 'fw', 't.txt'))).toBe(false);
    expect(checkout.git(['status', '--porcelain'])).toBe('');
  });
});

describe('push and merge_group events', () => {
  test('a push to a team branch: judged for the pusher\'s account', async () => {
    const head = pushBranch(world.dev, world, 'fw/pushed', [{ message: 'fw: pushed', files: { 'fw/p.txt': 'p\n', 'qa/p.txt': 'q\n' } }]);
    const checkout = actionsCheckout(world, 'push-1', { branch: 'fw/pushed' });
    const event = { ref: 'refs/heads/fw/pushed', before: '0'.repeat(40), after: head, created: true, deleted: false, pusher: { name: 'alice', email: 'alice@example.invalid' }, sender: { login: 'alice' }, repository: REPO };
    const result = await runAction(checkout, 'push', event, { GITHUB_REF: 'refs/heads/fw/pushed', GITHUB_REF_NAME: 'fw/pushed', GITHUB_REF_TYPE: 'branch' });
    expect(result.code).toBe(1);
    expect(paths(result)).toEqual(['qa/p.txt']);
    expect(result.errors).toHaveLength(1);
  });

  test('a push to main, a tag, a deleted branch: a notice, nothing to check, exit 0', async () => {
    const checkout = actionsCheckout(world, 'push-main', { branch: 'main' });
    const tip = world.hub.rev('main');
    for (const event of [
      { ref: 'refs/heads/main', before: tip, after: tip, sender: { login: 'carol' }, repository: REPO },
      { ref: 'refs/tags/v1', before: '0'.repeat(40), after: tip, sender: { login: 'carol' }, repository: REPO },
      { ref: 'refs/heads/fw/gone', before: tip, after: '0'.repeat(40), deleted: true, sender: { login: 'alice' }, repository: REPO },
    ]) {
      const result = await runAction(checkout, 'push', event);
      expect(result.code).toBe(0);
      expect(result.annotations).toEqual([expect.stringMatching(/^::notice title=coord-hooks::(push to the protected branch main|push of refs\/tags\/v1|branch fw\/gone was deleted)/)]);
      expect(result.summary).toContain('## coord-hooks: nothing to check');
    }
  });

  test('merge_group: a queue branch on top of its base passes with a notice; anything else is refused', async () => {
    const { head } = openPullRequest(30, world.dev, 'fw/queued', [{ message: 'fw: queued', files: { 'fw/q.txt': 'q\n' } }], { author: 'alice' });
    const base = world.hub.rev('main');
    const group = publishPullRequest(world, world.dev, head, 'refs/heads/fw/queued', `refs/heads/gh-readonly-queue/main/pr-30-${base}`)!;
    const checkout = actionsCheckout(world, 'queue', { branch: `gh-readonly-queue/main/pr-30-${base}` });
    const event = (headRef: string, baseSha: string) => ({ action: 'checks_requested', merge_group: { head_sha: group, head_ref: headRef, base_sha: baseSha, base_ref: 'refs/heads/main', head_commit: { id: group, message: 'Merge' } }, repository: REPO, sender: { login: 'github-merge-queue[bot]' } });
    const ok = await runAction(checkout, 'merge_group', event(`refs/heads/gh-readonly-queue/main/pr-30-${base}`, base));
    expect(ok.code).toBe(0);
    expect(ok.annotations).toEqual([expect.stringMatching(/^::notice title=coord-hooks::merge group [0-9a-f]{10} on main \(up to pull request #30\)/)]);
    const forged = await runAction(checkout, 'merge_group', event('refs/heads/fw/queued', base));
    expect(forged.code).toBe(1);
    expect(forged.errors).toEqual([expect.stringContaining('is not a merge-queue branch of main')]);
  });

  test('an event the action does not judge (workflow_dispatch): exit 2 with an annotation naming the events it does', async () => {
    const checkout = actionsCheckout(world, 'dispatch', { branch: 'main' });
    const result = await runAction(checkout, 'workflow_dispatch', { inputs: {}, ref: 'refs/heads/main', repository: REPO, sender: { login: 'alice' } });
    expect(result.code).toBe(2);
    expect(result.errors).toEqual(['::error title=coord-hooks::could not decide, so the check fails: the workflow_dispatch event is not one coord-hooks judges (trigger the workflow `on:` pull_request (the required check), pull_request_target, push or merge_group)']);
    expect(result.summary).toContain('## coord-hooks: could not decide');
  });
});

describe('workflow-command escaping (GitHub\'s rules)', () => {
  test('messages escape %, CR and LF; properties also : and ,', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('pm/a,b:c%d\n.md')).toBe('pm/a%2Cb%3Ac%25d%0A.md');
    expect(workflowCommand('error', { file: 'x:y.md', title: 'coord-hooks' }, 'a%b')).toBe('::error file=x%3Ay.md,title=coord-hooks::a%25b');
  });
});
