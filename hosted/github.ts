/**
 * `coord-hooks ci github`: the GitHub Action's work (action.yml runs it from the committed bundle
 * ci/coord-hooks.cjs). Reads the event, judges, and reports three ways: at most 10 `::error`
 * annotations (GitHub's per-step limit), the whole verdict as a table in the job summary, and step
 * outputs (ok, judged-as, violations, verdict-file). Exit 0 in scope, 1 violations, 2 could not decide.
 */
import { appendFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import type { CommandIO } from '../core/io';
import { githubAnnotations, workflowCommand, ANNOTATION_TITLE } from '../gate/annotations';
import { GitError } from '../git/run';
import { GitRepo } from '../git/repo';
import { githubRequest, readEventFile } from './github-event';
import { checkQueue, judgeRequest } from './judge';
import { judgedText, reasonText, summaryMarkdown, verdictJson } from './summary';

function appendTo(file: string | undefined, text: string): void {
  if (file) appendFileSync(file, text);
}

function outputs(env: NodeJS.ProcessEnv, values: Record<string, string>): void {
  appendTo(env.GITHUB_OUTPUT, Object.entries(values).map(([key, value]) => `${key}=${value.replace(/[\r\n]+/g, ' ')}\n`).join(''));
}

export async function runGithub(io: CommandIO): Promise<number> {
  const env = io.env;
  const repo = new GitRepo(env.GITHUB_WORKSPACE || io.cwd, env);
  try {
    const request = githubRequest(env, readEventFile(env));
    if (request.kind === 'skip') {
      io.out(workflowCommand('notice', { title: ANNOTATION_TITLE }, request.reason) + '\n');
      appendTo(env.GITHUB_STEP_SUMMARY, `## coord-hooks: nothing to check\n\n${request.reason}\n`);
      outputs(env, { ok: 'true', 'judged-as': '', violations: '0' });
      return 0;
    }
    if (request.kind === 'queue') {
      const queue = await checkQueue(repo, env, request);
      io.out(workflowCommand(queue.ok ? 'notice' : 'error', { title: ANNOTATION_TITLE }, queue.message) + '\n');
      appendTo(env.GITHUB_STEP_SUMMARY, `## coord-hooks: ${queue.ok ? 'merge group ok' : 'merge group refused'}\n\n${queue.message}\n`);
      outputs(env, { ok: String(queue.ok), 'judged-as': '', violations: '0' });
      return queue.ok ? 0 : 1;
    }
    const verdict = await judgeRequest(repo, env, request);
    const subjects = await repo.subjects(verdict.violations.map((violation) => violation.commit));
    const verdictFile = env.RUNNER_TEMP ? join(env.RUNNER_TEMP, 'coord-hooks-verdict.json') : undefined;
    if (verdictFile) writeFileSync(verdictFile, verdictJson(verdict));
    io.out(`coord-hooks: ${judgedText(verdict).replace(/\*\*/g, '')}\n`);
    for (const note of verdict.notes) io.out(workflowCommand('warning', { title: ANNOTATION_TITLE }, note) + '\n');
    const annotations = githubAnnotations(verdict.policy, verdict.violations, subjects, {
      reason: (violation) => reasonText(verdict, violation),
      fullList: `the job summary lists them all${verdictFile ? ` (and ${verdictFile})` : ''}`,
    });
    if (annotations.length) io.out(annotations.join('\n') + '\n');
    io.out(verdict.ok
      ? `coord-hooks: ok: ${verdict.commits} commit(s) in ${verdict.range} (policy from ${verdict.policySource})\n`
      : `coord-hooks: ${verdict.violations.length} violation(s) in ${verdict.range} (policy from ${verdict.policySource})\n`);
    appendTo(env.GITHUB_STEP_SUMMARY, summaryMarkdown(verdict, subjects, verdictFile));
    const judged = verdict.judged;
    outputs(env, {
      ok: String(verdict.ok),
      'judged-as': judged.kind === 'team' ? judged.team.name : judged.kind,
      violations: String(verdict.violations.length),
      ...(verdictFile ? { 'verdict-file': verdictFile } : {}),
    });
    return verdict.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof CoordError || error instanceof GitError) {
      const hint = error instanceof CoordError && error.hint ? ` (${error.hint})` : '';
      io.out(workflowCommand('error', { title: ANNOTATION_TITLE }, `could not decide, so the check fails: ${errorMessage(error)}${hint}`) + '\n');
      appendTo(env.GITHUB_STEP_SUMMARY, `## coord-hooks: could not decide\n\n${errorMessage(error)}${hint}\n`);
    }
    throw error;
  } finally {
    repo.close();
  }
}
