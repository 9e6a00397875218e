/**
 * A GitLab merge-request pipeline as a request, from GitLab's predefined CI/CD variables. The account
 * judged is GITLAB_USER_LOGIN (who started the pipeline: pushed the commits, or ran it); the source
 * branch name counts only when the merge request comes from this project, never from a fork.
 */
import { CoordError } from '../core/errors';
import type { HostedRequest } from './request';

function need(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value) return value;
  throw new CoordError(`${name} is not set: this job judges merge requests`, {
    hint: 'run it in a merge-request pipeline (rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"), as ci/gitlab-ci.yml does',
  });
}

export function gitlabRequest(env: NodeJS.ProcessEnv): HostedRequest {
  if (env.CI_PIPELINE_SOURCE !== 'merge_request_event') {
    return { kind: 'skip', reason: `pipeline source ${env.CI_PIPELINE_SOURCE ?? '(unset)'} is not a merge request; nothing to check` };
  }
  const iid = need(env, 'CI_MERGE_REQUEST_IID');
  const source = env.CI_MERGE_REQUEST_SOURCE_PROJECT_ID ?? env.CI_MERGE_REQUEST_SOURCE_PROJECT_PATH;
  const target = env.CI_MERGE_REQUEST_PROJECT_ID ?? env.CI_MERGE_REQUEST_PROJECT_PATH;
  return {
    kind: 'change',
    host: 'gitlab',
    label: `merge request !${iid}`,
    author: need(env, 'GITLAB_USER_LOGIN'),
    fromFork: !source || !target || source.toLowerCase() !== target.toLowerCase(),
    headBranch: env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME || undefined,
    // Merged-results and merge-train pipelines run on a merge commit: judge the source branch's own head.
    head: env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA || need(env, 'CI_COMMIT_SHA'),
    headRef: /^[0-9]+$/.test(iid) ? `refs/merge-requests/${iid}/head` : undefined,
    baseBranch: need(env, 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME'),
    policyBranch: env.CI_DEFAULT_BRANCH || need(env, 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME'),
  };
}
