/**
 * The GitHub Actions run as a request: GITHUB_EVENT_NAME and the event JSON at GITHUB_EVENT_PATH
 * (the webhook payload). Only fields GitHub itself fills are used for identity: the pull request's
 * `user.login` (its author), the push's `sender.login`; a branch name is only a name.
 */
import { readFileSync } from 'fs';
import { CoordError } from '../core/errors';
import type { HostedRequest } from './request';

const ZERO = /^0+$/;

type Json = Record<string, unknown>;

function field(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) current = current !== null && typeof current === 'object' ? (current as Json)[key] : undefined;
  return current;
}

function text(event: unknown, path: string, eventName: string): string {
  const value = field(event, path);
  if (typeof value === 'string' && value !== '') return value;
  throw new CoordError(`the ${eventName} event has no ${path}`, { hint: 'run the action from a workflow `on:` pull_request, pull_request_target, push or merge_group (the event file at GITHUB_EVENT_PATH is GitHub\'s own)' });
}

function optional(event: unknown, path: string): string | undefined {
  const value = field(event, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readEventFile(env: NodeJS.ProcessEnv): unknown {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) throw new CoordError('GITHUB_EVENT_PATH is not set: this runs inside a GitHub Actions job', { hint: 'use the action from a workflow (uses: OWNER/coord-hooks@SHA), not by hand' });
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CoordError(`cannot read the event file ${path}: ${error instanceof Error ? error.message : String(error)}`, { hint: 'GitHub writes it for every job; check that no step removed it' });
  }
}

export function githubRequest(env: NodeJS.ProcessEnv, event: unknown): HostedRequest {
  const name = env.GITHUB_EVENT_NAME ?? '';
  switch (name) {
    case 'pull_request':
    case 'pull_request_target': {
      const number = String(field(event, 'pull_request.number') ?? field(event, 'number') ?? '');
      const headRepo = optional(event, 'pull_request.head.repo.full_name');
      const baseRepo = optional(event, 'pull_request.base.repo.full_name') ?? optional(event, 'repository.full_name');
      const author = text(event, 'pull_request.user.login', name);
      const actor = optional(event, 'sender.login') ?? env.GITHUB_ACTOR;
      return {
        kind: 'change',
        host: 'github',
        label: `pull request #${number}`,
        author,
        actor: actor && actor.toLowerCase() !== author.toLowerCase() ? actor : undefined,
        // A deleted fork has no head.repo: still a fork. Comparing names (not head.repo.fork) matters:
        // in a repository that is itself a fork, every same-repository pull request has head.repo.fork true.
        fromFork: !headRepo || !baseRepo || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
        headBranch: optional(event, 'pull_request.head.ref'),
        head: text(event, 'pull_request.head.sha', name),
        headRef: /^[0-9]+$/.test(number) ? `refs/pull/${number}/head` : undefined,
        baseBranch: text(event, 'pull_request.base.ref', name),
        policyBranch: optional(event, 'repository.default_branch') ?? optional(event, 'pull_request.base.repo.default_branch') ?? 'main',
      };
    }
    case 'push': {
      const ref = text(event, 'ref', name);
      if (!ref.startsWith('refs/heads/')) return { kind: 'skip', reason: `push of ${ref}: tags are not team work; nothing to check` };
      const branch = ref.slice('refs/heads/'.length);
      const after = text(event, 'after', name);
      if (ZERO.test(after)) return { kind: 'skip', reason: `branch ${branch} was deleted; nothing to check` };
      const base = optional(event, 'repository.default_branch') ?? 'main';
      if (branch === base) return { kind: 'skip', reason: `push to the protected branch ${branch}: branch protection decides who may do that; nothing to check` };
      if (branch.startsWith('gh-readonly-queue/')) return { kind: 'skip', reason: `push of the merge queue's branch ${branch}: judged by the merge_group event; nothing to check` };
      return {
        kind: 'change',
        host: 'github',
        label: `push to ${branch}`,
        author: optional(event, 'sender.login') ?? text(event, 'pusher.name', name),
        fromFork: false,
        headBranch: branch,
        head: after,
        baseBranch: base,
        policyBranch: base,
      };
    }
    case 'merge_group': {
      const baseRef = text(event, 'merge_group.base_ref', name);
      return {
        kind: 'queue',
        head: text(event, 'merge_group.head_sha', name),
        base: text(event, 'merge_group.base_sha', name),
        baseBranch: baseRef.replace(/^refs\/heads\//, ''),
        headRef: text(event, 'merge_group.head_ref', name),
      };
    }
    default:
      throw new CoordError(`the ${name || '(unnamed)'} event is not one coord-hooks judges`, {
        hint: 'trigger the workflow `on:` pull_request (the required check), pull_request_target, push or merge_group',
      });
  }
}
