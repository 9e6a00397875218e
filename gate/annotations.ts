/**
 * `check --format github`: the verdict as GitHub Actions workflow commands, one `::error` annotation
 * per violation on the offending file, then a plain summary line. Escaping follows GitHub's rules for
 * workflow commands (@actions/core): in the message `%`, `\r`, `\n`; in properties also `:` and `,`.
 */
import type { Policy } from '../policy/types';
import { formatViolations, quotePath } from './messages';
import type { Violation } from './scope';

/**
 * GitHub shows at most 10 error annotations per step (and 50 per job) and drops the rest unseen: with
 * more violations, the first 9 are annotated and the 10th says how many more and where they are.
 */
export const ANNOTATION_LIMIT = 10;

export const ANNOTATION_TITLE = 'coord-hooks';

/** The message part of a workflow command. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`file=`, `title=`) of a workflow command. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(command: 'error' | 'warning' | 'notice', properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties).map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/** The reason line the server gate and `check` print for this violation (one source for the wording). */
function reasonOf(policy: Policy, violation: Violation): string {
  return formatViolations(policy, [violation])[1]?.trim() ?? violation.reason;
}

function commitLabel(violation: Violation, subjects?: Map<string, string>): string {
  if (!/^[0-9a-f]{40,64}$/.test(violation.commit)) return violation.commit;
  const subject = subjects?.get(violation.commit);
  return `commit ${violation.commit.slice(0, 10)}${subject ? ` "${subject.length > 50 ? subject.slice(0, 47) + '...' : subject}"` : ''}`;
}

export interface GithubVerdict {
  ok: boolean;
  team: string;
  range: string;
  /** Where the policy came from, e.g. "origin/main". */
  source: string;
  commits: number;
}

export interface AnnotationOptions {
  /** Where the whole list is, for the last annotation when there are more than fit. */
  fullList?: string;
  /** The reason text of a violation, when not the gate's own wording. */
  reason?: (violation: Violation) => string;
}

/** The whole output of `check --format github`: annotations (none when ok; at most ANNOTATION_LIMIT), then one summary line. */
export function formatGithubAnnotations(policy: Policy, verdict: GithubVerdict, violations: Violation[], subjects?: Map<string, string>, options: AnnotationOptions = {}): string[] {
  const lines = githubAnnotations(policy, violations, subjects, {
    fullList: `run \`coord-hooks check --team ${verdict.team} ${verdict.range}\` for the full list`, ...options });
  lines.push(verdict.ok
    ? `coord-hooks: ok: ${verdict.commits} commit(s) in ${verdict.range} stay inside team ${verdict.team}'s scope (policy from ${verdict.source})`
    : `coord-hooks: ${violations.length} violation(s) in ${verdict.range} for team ${verdict.team} (policy from ${verdict.source})`);
  return lines;
}

/** One `::error` annotation per violation on its file, at most ANNOTATION_LIMIT in all. */
export function githubAnnotations(policy: Policy, violations: Violation[], subjects?: Map<string, string>, options: AnnotationOptions = {}): string[] {
  const lines: string[] = [];
  const shown = violations.length > ANNOTATION_LIMIT ? ANNOTATION_LIMIT - 1 : violations.length;
  for (const violation of violations.slice(0, shown)) {
    const reason = options.reason?.(violation) ?? reasonOf(policy, violation);
    const message = `${quotePath(violation.path)}: ${reason} (${commitLabel(violation, subjects)})`;
    lines.push(workflowCommand('error', { file: violation.path, title: ANNOTATION_TITLE }, message));
  }
  if (shown < violations.length) {
    const where = options.fullList ?? 'the job summary lists them all';
    lines.push(workflowCommand('error', { title: ANNOTATION_TITLE },
      `... and ${violations.length - shown} more violation(s) (GitHub shows ${ANNOTATION_LIMIT} annotations per step); ${where}`));
  }
  return lines;
}
