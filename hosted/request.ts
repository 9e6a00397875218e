/**
 * What a CI run on a host without server hooks asks: which commits, whose, into which branch. The
 * GitHub event (hosted/github-event.ts) and GitLab's predefined variables (hosted/gitlab-env.ts) are
 * read into this one shape; the rest of hosted/ knows neither host's names.
 */
import type { AccountHost } from '../policy/types';

export interface ChangeRequest {
  kind: 'change';
  host: AccountHost;
  /** For messages: "pull request #7", "push to fw/x", "merge request !3". */
  label: string;
  /** The account the change is judged for: the pull request's author, or who pushed. */
  author: string;
  /** Who started this run, when someone other than the author (pushed to the author's pull request). */
  actor?: string;
  /** The commits come from another repository (a fork): their branch name proves nothing. */
  fromFork: boolean;
  /** The source branch's name (in the fork, for a fork). */
  headBranch?: string;
  /** The commit to judge (the pull request's head, not the host's merge commit). */
  head: string;
  /** A ref of the base repository to fetch the head from when the checkout lacks it (refs/pull/7/head). */
  headRef?: string;
  /** The branch it would merge into; its current tip is fetched. */
  baseBranch: string;
  /** The repository's default (protected) branch: the policy is read from its current tip, whatever the base. */
  policyBranch: string;
}

/** A run with nothing to judge (a tag, a deleted branch, the protected branch itself), said as a notice. */
export interface SkipRequest {
  kind: 'skip';
  reason: string;
}

/** GitHub's merge queue: a group of pull requests, each of which passed this check on its own. */
export interface QueueRequest {
  kind: 'queue';
  head: string;
  base: string;
  baseBranch: string;
  headRef: string;
}

export type HostedRequest = ChangeRequest | SkipRequest | QueueRequest;
