import { usageError } from '../core/errors';
import { defineCommand } from './command';

const HOSTS = ['github', 'gitlab'] as const;

export default defineCommand({
  name: 'ci',
  summary: 'The gate\'s verdict on a pull request (GitHub Actions) or merge request (GitLab CI), for hosts without server hooks.',
  positionals: 'github|gitlab',
  options: {},
  details: `Run by action.yml (github) and ci/gitlab-ci.yml (gitlab) from the committed bundle
ci/coord-hooks.cjs; everything comes from the host's environment, nothing from options:
  github  GITHUB_EVENT_NAME and the event at GITHUB_EVENT_PATH (pull_request, pull_request_target,
          push, merge_group), GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP;
          COORD_HOOKS_TOKEN (the action's token input) authenticates fetches, never stored
  gitlab  CI_MERGE_REQUEST_* (IID, SOURCE/TARGET_BRANCH_NAME, SOURCE/PROJECT_PATH, DIFF_BASE_SHA,
          SOURCE_BRANCH_SHA), CI_COMMIT_SHA, GITLAB_USER_LOGIN; writes coord-hooks.json,
          gl-code-quality-report.json and coord-hooks-junit.xml in the working directory
The team is the author's (accounts: in the policy); a branch <team>/... counts only for a branch of
this repository whose author is in no team's accounts, never for a fork. The range is every commit of
the head that is not on the base branch's tip, fetched now; the policy comes from that tip.
See docs/hosting.md.`,
  exitCodes: '0 in scope (or nothing to check) · 1 violations · 2 could not decide (the job fails too)',
  async run({ positionals }, io) {
    const [host, ...rest] = positionals;
    if (!(HOSTS as readonly string[]).includes(host ?? '') || rest.length) {
      throw usageError(`ci takes one host: ${HOSTS.join(' or ')}`, 'run `coord-hooks ci --help`');
    }
    if (host === 'github') return (await import('../hosted/github')).runGithub(io);
    return (await import('../hosted/gitlab')).runGitlab(io);
  },
});
