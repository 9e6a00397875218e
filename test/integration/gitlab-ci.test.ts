/**
 * The GitLab merge-request job (ci/gitlab-ci.yml) run as a GitLab runner runs it: its `script:` in
 * bash with `-eo pipefail`, the template's variables plus GitLab's predefined CI/CD variables of a
 * merge-request pipeline, in a checkout made as the runner makes it (GIT_DEPTH 0, detached at
 * CI_COMMIT_SHA). PATH holds only the tools the script and git need (no coord-hooks, no npx; npm is
 * offline with an unreachable registry). The bundle is "downloaded" with curl from a file:// URL (the
 * https download itself is the one step not run here) and must match the pinned SHA-256.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { createHash } from 'crypto';
import { join } from 'path';
import { parse } from 'yaml';
import { packageInfo } from '../../core/package-info';
import { runProcess, type ProcessResult } from '../../core/process';
import { branchThatMergedMain, findTool, gitlabCheckout, hostedWorld, publishPullRequest, pushBranch, type HostedWorld } from '../../fixtures/hosted';
import { removeDir, type Repo } from '../../fixtures/repo';

const ROOT = packageInfo().root;
const BUNDLE = join(ROOT, 'ci', 'coord-hooks.cjs');

interface Job { image: string; variables: Record<string, string>; rules: { if: string }[]; script: string[]; artifacts: { when: string; paths: string[]; reports: Record<string, string> } }
const config = parse(readFileSync(join(ROOT, 'ci', 'gitlab-ci.yml'), 'utf8')) as Record<string, Job & { extends?: string }>;
const job = config['.coord-hooks-check'];

let world: HostedWorld;
let bin: string;
let bash: string;
let builds = 0;

beforeAll(() => {
  world = hostedWorld('coord-hooks-gitlab-');
  bin = join(world.root, 'bin');
  mkdirSync(bin);
  const which = (tool: string) => findTool(tool, `the GitLab job needs it (the node:20 image has it; here: apt-get install ${tool === 'curl' ? 'curl' : 'coreutils'})`);
  for (const tool of ['node', 'git', 'curl', 'sha256sum', 'mktemp', 'sh']) symlinkSync(which(tool), join(bin, tool));
  bash = which('bash');
});

afterAll(() => removeDir(world.root));

interface JobResult extends ProcessResult {
  verdict?: { ok: boolean; judgedAs: string; why: string; commits: number; notes: string[]; violations: { path: string; why: string }[] };
  codeQuality?: { description: string; check_name: string; fingerprint: string; severity: string; location: { path: string; lines: { begin: number } } }[];
  junit?: string;
}

/** GitLab's predefined variables of a merge-request pipeline for merge request !iid. */
function mergeRequestVariables(spec: { iid: number; user: string; source: string; sha: string; diffBase: string; fromFork?: boolean }): Record<string, string> {
  return {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_PROJECT_PATH: 'org/proj',
    CI_PROJECT_ID: '100',
    CI_COMMIT_SHA: spec.sha,
    CI_COMMIT_REF_NAME: spec.source,
    CI_MERGE_REQUEST_IID: String(spec.iid),
    CI_MERGE_REQUEST_EVENT_TYPE: 'detached',
    CI_MERGE_REQUEST_PROJECT_ID: '100',
    CI_MERGE_REQUEST_PROJECT_PATH: 'org/proj',
    CI_MERGE_REQUEST_SOURCE_PROJECT_ID: spec.fromFork ? '200' : '100',
    CI_MERGE_REQUEST_SOURCE_PROJECT_PATH: spec.fromFork ? 'mallory/proj' : 'org/proj',
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: spec.source,
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    CI_MERGE_REQUEST_DIFF_BASE_SHA: spec.diffBase,
    GITLAB_USER_LOGIN: spec.user,
    GITLAB_USER_NAME: spec.user,
  };
}

/** Opens merge request !iid from `clone`'s branch as GitLab would (refs/merge-requests/iid/head), and the runner's checkout. */
function openMergeRequest(iid: number, clone: Repo, branch: string, commits: { message: string; files: Record<string, string> }[], spec: { user: string; fromFork?: boolean }) {
  const diffBase = world.hub.rev('main');
  const sha = pushBranch(clone, world, branch, commits);
  publishPullRequest(world, clone, sha, `refs/merge-requests/${iid}/head`);
  const variables = mergeRequestVariables({ iid, source: branch, sha, diffBase, ...spec });
  return { sha, variables, checkout: gitlabCheckout(world, `mr-${iid}-${++builds}`, iid, sha) };
}

/** The job's script as the runner runs it: template variables (overridable), then predefined ones. */
async function runJob(checkout: Repo, predefined: Record<string, string>, overrides: Record<string, string> = {}): Promise<JobResult> {
  const env: NodeJS.ProcessEnv = {
    HOME: world.env.HOME,
    PATH: bin,
    GIT_CONFIG_NOSYSTEM: '1',
    npm_config_offline: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
    CI_PROJECT_DIR: checkout.dir,
    ...job.variables,
    ...predefined,
    ...overrides,
  };
  const result = await runProcess(bash, ['--noprofile', '--norc', '-eo', 'pipefail', '-c', job.script.join('\n')], { env, cwd: checkout.dir, timeoutMs: 60000 });
  const read = (name: string) => (existsSync(join(checkout.dir, name)) ? readFileSync(join(checkout.dir, name), 'utf8') : undefined);
  const json = read('coord-hooks.json');
  const quality = read(job.artifacts.reports.codequality);
  return { ...result, verdict: json ? JSON.parse(json) : undefined, codeQuality: quality ? JSON.parse(quality) : undefined, junit: read(job.artifacts.reports.junit) };
}

const viaFile = { COORD_HOOKS_BUNDLE_URL: `file://${BUNDLE}` };

describe('ci/gitlab-ci.yml', () => {
  test('a hidden template job on merge requests with the full history, reports the merge request shows, and a job extending it', () => {
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(job.variables.GIT_DEPTH).toBe('0');
    expect(job.image).toBe('node:20');
    expect(job.artifacts).toEqual({ when: 'always', paths: ['coord-hooks.json'], reports: { codequality: 'gl-code-quality-report.json', junit: 'coord-hooks-junit.xml' } });
    expect(config['coord-hooks'].extends).toBe('.coord-hooks-check');
    expect(readFileSync(join(ROOT, 'ci', 'gitlab-ci.yml'), 'utf8')).not.toMatch(/npx|npm (i|install|exec)/);
  });

  test('it pins the SHA-256 of the bundle of the same commit', () => {
    expect(job.variables.COORD_HOOKS_BUNDLE_SHA256).toBe(createHash('sha256').update(readFileSync(BUNDLE)).digest('hex'));
  });

  test('a merge request by alice (fw) writing pm\'s files: exit 1, a code quality finding and a failed JUnit test per file, the JSON verdict', async () => {
    const { sha, variables, checkout } = openMergeRequest(1, world.dev, 'fw/feature', [
      { message: 'fw: feature', files: { 'fw/a.txt': 'a\n' } },
      { message: 'fw: touch pm', files: { 'pm/x.md': 'x\n', 'pm/<y>&.md': 'y\n' } },
    ], { user: 'alice' });
    const result = await runJob(checkout, variables, viaFile);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.verdict).toMatchObject({ ok: false, judgedAs: 'fw', commits: 2 });
    expect(result.verdict?.violations.map((violation) => violation.path).sort()).toEqual(['pm/<y>&.md', 'pm/x.md']);
    expect(result.codeQuality?.map((finding) => [finding.location.path, finding.severity, finding.check_name]).sort()).toEqual([
      ['pm/<y>&.md', 'blocker', 'coord-hooks/outside-scope'], ['pm/x.md', 'blocker', 'coord-hooks/outside-scope']]);
    expect(result.codeQuality?.[0].description).toContain(`outside team fw's write scope; it belongs to team pm (commit ${sha.slice(0, 10)})`);
    expect(new Set(result.codeQuality?.map((finding) => finding.fingerprint)).size).toBe(2);
    expect(result.junit).toContain('<testsuites name="coord-hooks" tests="2" failures="2">');
    expect(result.junit).toContain('<testcase classname="coord-hooks.fw" name="pm/&lt;y&gt;&amp;.md">');
    expect(result.stdout).toContain('coord-hooks: merge request !1 by @alice, judged as team fw: @alice is in team fw\'s accounts (fw/CLAUDE.md:7:12)');
    expect(result.stdout).toMatch(/coord-hooks: 2 violation\(s\) in fw\/feature/);
  });

  test('in scope: exit 0, an empty code quality report and one passing JUnit test', async () => {
    const { variables, checkout } = openMergeRequest(2, world.dev, 'fw/ok', [{ message: 'fw: ok', files: { 'fw/ok.txt': 'ok\n' } }], { user: 'alice' });
    const result = await runJob(checkout, variables, viaFile);
    expect(result.code).toBe(0);
    expect(result.codeQuality).toEqual([]);
    expect(result.junit).toContain('<testcase classname="coord-hooks.fw" name="1 commit(s) in scope"/>');
  });

  test('a fork claiming team fw by its source branch name: judged as no team, exit 1', async () => {
    const { variables, checkout } = openMergeRequest(3, world.forkDev, 'fw/claim', [{ message: 'fork', files: { 'fw/f.txt': 'f\n' } }], { user: 'mallory', fromFork: true });
    const result = await runJob(checkout, variables, viaFile);
    expect(result.code).toBe(1);
    expect(result.verdict?.judgedAs).toBe('nobody');
    expect(result.verdict?.why).toBe('@mallory is in no team\'s gitlab accounts and the commits come from a fork; its branch name fw/claim names team fw, which a fork cannot claim');
    expect(result.verdict?.violations.map((violation) => violation.path)).toEqual(['fw/f.txt']);
  });

  test('a team that merged main after the diff base: the architect\'s commits are not its violations, and the stale diff base is reported', async () => {
    const diffBase = world.hub.rev('main');
    const sha = branchThatMergedMain(world, 'fw/sync', { 'shared/config.txt': 'moved on\n', 'qa/plan.md': 'plan\n' });
    publishPullRequest(world, world.dev, sha, 'refs/merge-requests/4/head');
    const checkout = gitlabCheckout(world, 'mr-4', 4, sha);
    const result = await runJob(checkout, mergeRequestVariables({ iid: 4, user: 'alice', source: 'fw/sync', sha, diffBase }), viaFile);
    expect(result.stdout).not.toContain('violation(s)');
    expect(result.code).toBe(0);
    expect(result.verdict?.commits).toBe(3);
    expect(result.verdict?.notes).toEqual([`GitLab's diff base ${diffBase.slice(0, 10)} is not the merge-base ${world.hub.rev('main').slice(0, 10)} with the target branch as fetched now: judged against the current target`]);
  });

  test('a vendored bundle that is not the pinned one is refused before it runs (exit 2); so is a missing URL', async () => {
    const { variables, checkout } = openMergeRequest(5, world.dev, 'fw/tamper', [{ message: 'fw', files: { 'fw/t.txt': 't\n' } }], { user: 'alice' });
    const fake = join(world.root, 'fake.cjs');
    copyFileSync(BUNDLE, fake);
    writeFileSync(fake, readFileSync(fake, 'utf8') + '\nprocess.exit(0);\n');
    const tampered = await runJob(checkout, variables, { COORD_HOOKS_BUNDLE: fake });
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toContain(`coord-hooks: ${fake} is not the bundle this template pins`);
    expect(tampered.verdict).toBeUndefined();
    const unset = await runJob(checkout, variables);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('coord-hooks: set COORD_HOOKS_BUNDLE_URL');
    const vendored = await runJob(checkout, variables, { COORD_HOOKS_BUNDLE: BUNDLE });
    expect(vendored.code).toBe(0);
  });
});
