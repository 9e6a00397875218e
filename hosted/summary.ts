/**
 * The whole verdict as Markdown, for GitHub's job summary ($GITHUB_STEP_SUMMARY) and GitLab's job log:
 * who was judged and why, the range, and every violation in a table. Annotations are capped by the
 * host; this is where nothing is lost. GitHub takes at most 1 MiB per step summary: past SUMMARY_BYTES
 * the table stops with a row saying how many are left and where the full JSON verdict is.
 */
import { formatViolations, quotePath } from '../gate/messages';
import type { Violation } from '../gate/scope';
import type { Policy } from '../policy/types';
import type { HostedVerdict } from './judge';
import { nobodyHint } from './identity';

export const SUMMARY_BYTES = 900 * 1024;

/** A table cell: no line breaks, pipes escaped, no HTML and no links or images (commit subjects are anyone's text). */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/([[\]!])/g, '\\$1');
}

function code(text: string): string {
  const clean = quotePath(text).replace(/\|/g, '\\|');
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

/** The reason a violation is reported, in the gate's words (or the "nobody" wording). */
export function reasonText(verdict: HostedVerdict, violation: Violation): string {
  if (verdict.judged.kind === 'nobody') return `not in any scope: ${verdict.judged.why}`;
  return gateReason(verdict.policy, violation);
}

function gateReason(policy: Policy, violation: Violation): string {
  return formatViolations(policy, [violation])[1]?.trim() ?? violation.reason;
}

export function judgedText(verdict: HostedVerdict): string {
  const judged = verdict.judged;
  const as = judged.kind === 'team' ? `team **${judged.team.name}**` : judged.kind === 'architect' ? 'the **architect**' : '**no team**';
  return `${verdict.request.label} by @${verdict.request.author}, judged as ${as}: ${judged.why}`;
}

export function summaryMarkdown(verdict: HostedVerdict, subjects: Map<string, string>, verdictFile?: string): string {
  const { violations } = verdict;
  const lines = [
    `## coord-hooks: ${verdict.ok ? `in scope (${verdict.commits} commit(s))` : `${violations.length} violation(s)`}`,
    '',
    '| | |',
    '|---|---|',
    `| judged | ${cell(judgedText(verdict))} |`,
  ];
  if (verdict.request.actor) lines.push(`| pushed by | ${cell(`@${verdict.request.actor} (not the author): the commits are still judged as the author's`)} |`);
  if (verdict.commitAuthors.length) lines.push(`| commit authors | ${cell(verdict.commitAuthors.join(', '))} |`);
  lines.push(
    `| commits | ${cell(`${verdict.commits} in ${verdict.range}`)} |`,
    `| merge-base | ${verdict.mergeBase ? code(verdict.mergeBase) : 'none (unrelated histories)'} |`,
    `| policy | ${cell(`${verdict.policySource} ${verdict.policyTip.slice(0, 10)}`)} |`,
  );
  for (const note of verdict.notes) lines.push(`| note | ${cell(note)} |`);
  if (verdict.judged.kind === 'nobody') lines.push(`| to fix | ${cell(nobodyHint(verdict.request))} |`);
  if (violations.length === 0) return lines.join('\n') + '\n';
  lines.push('', '| # | path | commit | why |', '|---|---|---|---|');
  let bytes = lines.join('\n').length;
  for (const [index, violation] of violations.entries()) {
    const commit = /^[0-9a-f]{40,64}$/.test(violation.commit) ? `${code(violation.commit.slice(0, 10))} ${cell(subjects.get(violation.commit) ?? '')}` : cell(violation.commit);
    const row = `| ${index + 1} | ${code(violation.path)} | ${commit} | ${cell(reasonText(verdict, violation))} |`;
    if (bytes + row.length > SUMMARY_BYTES) {
      lines.push(`| … | ${violations.length - index} more | | the step summary holds 1 MiB; every violation is in ${cell(verdictFile ?? 'the JSON verdict')} |`);
      break;
    }
    lines.push(row);
    bytes += row.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** The verdict as JSON (the file CI keeps as an artifact). */
export function verdictJson(verdict: HostedVerdict): string {
  const judged = verdict.judged;
  return JSON.stringify({
    ok: verdict.ok,
    host: verdict.request.host,
    request: verdict.request.label,
    author: verdict.request.author,
    actor: verdict.request.actor ?? null,
    fromFork: verdict.request.fromFork,
    judgedAs: judged.kind === 'team' ? judged.team.name : judged.kind,
    why: judged.why,
    range: verdict.range,
    mergeBase: verdict.mergeBase,
    policy: `${verdict.policySource} ${verdict.policyTip}`,
    commits: verdict.commits,
    notes: verdict.notes,
    violations: verdict.violations.map((violation) => ({ ...violation, why: reasonText(verdict, violation) })),
  }, null, 2) + '\n';
}
