/**
 * `coord-hooks ci gitlab`: the merge-request job of ci/gitlab-ci.yml. Judges like the GitHub Action
 * and writes what GitLab shows in the merge request: a code quality report (one finding per
 * violation, on its file) and a JUnit report (one failed test per violation), plus the JSON verdict.
 * Exit 0 in scope, 1 violations, 2 could not decide.
 */
import { createHash } from 'crypto';
import { writeFileSync } from 'fs';
import { join } from 'path';
import type { CommandIO } from '../core/io';
import { quotePath } from '../gate/messages';
import { GitRepo } from '../git/repo';
import { gitlabRequest } from './gitlab-env';
import { judgeRequest, type HostedVerdict } from './judge';
import { judgedText, reasonText, verdictJson } from './summary';

export const REPORT_FILES = { json: 'coord-hooks.json', codeQuality: 'gl-code-quality-report.json', junit: 'coord-hooks-junit.xml' };

function xml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '?');
}

export function codeQualityReport(verdict: HostedVerdict): string {
  return JSON.stringify(verdict.violations.map((violation) => ({
    description: `${quotePath(violation.path)}: ${reasonText(verdict, violation)} (commit ${violation.commit.slice(0, 10)})`,
    check_name: `coord-hooks/${violation.reason}`,
    fingerprint: createHash('sha256').update(`${violation.commit}\0${violation.path}\0${violation.reason}`).digest('hex'),
    severity: 'blocker',
    location: { path: violation.path, lines: { begin: 1 } },
  })), null, 2) + '\n';
}

export function junitReport(verdict: HostedVerdict): string {
  const judged = verdict.judged.kind === 'team' ? verdict.judged.team.name : verdict.judged.kind;
  const cases = verdict.violations.length === 0
    ? [`    <testcase classname="coord-hooks.${xml(judged)}" name="${xml(`${verdict.commits} commit(s) in scope`)}"/>`]
    : verdict.violations.map((violation) => [
      `    <testcase classname="coord-hooks.${xml(judged)}" name="${xml(quotePath(violation.path))}">`,
      `      <failure message="${xml(reasonText(verdict, violation))}">${xml(`commit ${violation.commit}\n${judgedText(verdict)}`)}</failure>`,
      '    </testcase>',
    ].join('\n'));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="coord-hooks" tests="${Math.max(verdict.violations.length, 1)}" failures="${verdict.violations.length}">`,
    `  <testsuite name="coord-hooks scope" tests="${Math.max(verdict.violations.length, 1)}" failures="${verdict.violations.length}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export async function runGitlab(io: CommandIO): Promise<number> {
  const request = gitlabRequest(io.env);
  if (request.kind !== 'change') {
    io.out(`coord-hooks: ${request.kind === 'skip' ? request.reason : 'nothing to check'}\n`);
    return 0;
  }
  const repo = new GitRepo(io.env.CI_PROJECT_DIR || io.cwd, io.env);
  try {
    const verdict = await judgeRequest(repo, io.env, request);
    const diffBase = io.env.CI_MERGE_REQUEST_DIFF_BASE_SHA;
    if (diffBase && verdict.mergeBase && diffBase !== verdict.mergeBase) {
      verdict.notes.push(`GitLab's diff base ${diffBase.slice(0, 10)} is not the merge-base ${verdict.mergeBase.slice(0, 10)} with the target branch as fetched now: judged against the current target`);
    }
    const dir = repo.cwd;
    writeFileSync(join(dir, REPORT_FILES.json), verdictJson(verdict));
    writeFileSync(join(dir, REPORT_FILES.codeQuality), codeQualityReport(verdict));
    writeFileSync(join(dir, REPORT_FILES.junit), junitReport(verdict));
    const subjects = await repo.subjects(verdict.violations.map((violation) => violation.commit));
    const lines = [`coord-hooks: ${judgedText(verdict).replace(/\*\*/g, '')}`, ...verdict.notes.map((note) => `coord-hooks: note: ${note}`)];
    for (const violation of verdict.violations) {
      const subject = subjects.get(violation.commit);
      lines.push(`  ${quotePath(violation.path)}: ${reasonText(verdict, violation)} (${violation.commit.slice(0, 10)}${subject ? ` ${subject}` : ''})`);
    }
    lines.push(verdict.ok
      ? `coord-hooks: ok: ${verdict.commits} commit(s) in ${verdict.range} (policy from ${verdict.policySource})`
      : `coord-hooks: ${verdict.violations.length} violation(s) in ${verdict.range} (policy from ${verdict.policySource}); reports: ${Object.values(REPORT_FILES).join(', ')}`);
    io.out(lines.join('\n') + '\n');
    return verdict.ok ? 0 : 1;
  } finally {
    repo.close();
  }
}
