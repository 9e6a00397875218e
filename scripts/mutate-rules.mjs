#!/usr/bin/env node
/**
 * Hand-written mutation testing of the gate's rules: does every rule have a test that fails when the
 * rule is removed or inverted?
 *
 *   node scripts/mutate-rules.mjs                 every mutation (slow: ~30 minutes on 2 cores)
 *   node scripts/mutate-rules.mjs --only NAME     one mutation (or several: NAME,NAME2)
 *   node scripts/mutate-rules.mjs --list          the mutations and their tests, nothing run
 *   node scripts/mutate-rules.mjs --check         only that every `find` occurs exactly once
 *
 * Each mutation is { name, file, find, replace, tests, why }: `find` is exact text that must occur
 * exactly once in `file`; it is replaced by `replace`, dist/ is rebuilt (hooks run the compiled CLI),
 * then `npx jest --silent <tests>` runs with COORD_HOOKS_TEST_NO_BUILD=1 (the build was just done).
 * The mutation is CAUGHT when at least one test fails, SURVIVED when all pass. A mutation that does
 * not compile is reported as BUILD FAILED (a broken mutation, not a caught one). The file is restored
 * byte for byte after each run, also on errors, Ctrl-C and SIGTERM; a backup in the temp directory
 * covers a hard kill (restored at the next start). dist/ is rebuilt from the restored sources at the end.
 *
 * Prints a table (mutation, caught by: the first failing test, or SURVIVED) and exits 1 when any
 * mutation survived or was broken. Not part of `npm test`; docs/mutation.md has the last table.
 * Plain Node, no dependencies beyond the project's own (typescript, jest).
 */
/* global process, console, Buffer */
// A developer tool outside the product: it runs tsc and jest, which core/process.ts is not for.
// eslint-disable-next-line no-restricted-imports
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const BACKUP = join(tmpdir(), `coord-hooks-mutation-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.json`);

const T = (name) => `test/integration/${name}.test.ts`;

/** @type {{ name: string, file: string, find: string, replace: string, tests: string[], why: string }[]} */
export const MUTATIONS = [
  // ---------------------------------------------------------------- gate/ref-rules.ts
  {
    name: 'protected-non-ff', file: 'gate/ref-rules.ts',
    find: 'if (!isCreation(update) && !(await context.repo.isAncestor(update.old, update.new))) {',
    replace: 'if (false && !isCreation(update) && !(await context.repo.isAncestor(update.old, update.new))) {',
    tests: [T('gate-rules')], why: 'protectedRule: a non-fast-forward update of main is refused, even for the architect',
  },
  {
    name: 'protected-deletion', file: 'gate/ref-rules.ts',
    find: 'if (isDeletion(update)) return reject(update, `the protected branch ${branch} cannot be deleted`',
    replace: 'if (false && isDeletion(update)) return reject(update, `the protected branch ${branch} cannot be deleted`',
    tests: [T('gate-rules')], why: 'protectedRule: main cannot be deleted, even by the architect with a certificate',
  },
  {
    name: 'protected-architect', file: 'gate/ref-rules.ts',
    find: 'return architectMay(context, update, `update the protected branch ${branch}`);',
    replace: 'return null;',
    tests: [T('gate-ref')], why: 'protectedRule: only the architect updates main',
  },
  {
    name: 'architect-certificate', file: 'gate/ref-rules.ts',
    find: 'if (byCertificate === null) return null;',
    replace: 'if (byCertificate === null || byCertificate !== null) return null;',
    tests: [T('redteam-authority')], why: 'architectMay: without a certificate there is no architect proof',
  },
  {
    name: 'certificate-principal', file: 'gate/ref-rules.ts',
    find: 'if (principals.includes(proof.principal!)) return null;',
    replace: 'if (proof.principal) return null;',
    tests: [T('redteam-authority')], why: 'certifiedBy: a valid certificate counts only for the principals asked for (fw is not the architect)',
  },
  {
    name: 'tag-object-name', file: 'gate/ref-rules.ts',
    find: 'if (tag.tag !== name) return `the tag object is named "${tag.tag}", not "${name}"`;',
    replace: 'if (false && tag.tag !== name) return `the tag object is named "${tag.tag}", not "${name}"`;',
    tests: [T('redteam-refs')], why: 'tagObjectProves: the tag object names its own ref, so it cannot be replayed as another tag',
  },
  {
    name: 'tag-object-signature', file: 'gate/ref-rules.ts',
    find: 'return verdict.ok ? null : verdict.detail;',
    replace: 'return verdict.ok || true ? null : verdict.detail;',
    tests: [T('gate-rules')], why: 'tagObjectProves: the tag object must be signed by an architect key',
  },
  {
    name: 'team-pusher-membership', file: 'gate/ref-rules.ts',
    find: 'if (!pusherMayActFor(context, team)) {',
    replace: 'if (false && !pusherMayActFor(context, team)) {',
    tests: [T('gate-pusher')], why: 'teamRule: in pusher mode only members (or the architect) push a team\'s branches',
  },
  {
    name: 'delete-branch-architect', file: 'gate/ref-rules.ts',
    find: "if (isDeletion(update) && context.policy.coord.deleteBranch === 'architect') return architectMay(",
    replace: "if (false && isDeletion(update) && context.policy.coord.deleteBranch === 'architect') return architectMay(",
    tests: [T('gate-rules')], why: 'teamRule: delete-branch: architect means only the architect deletes team branches',
  },
  {
    name: 'signature-rewind-proof', file: 'gate/ref-rules.ts',
    find: 'if (why === null) return null;',
    replace: 'return null;',
    tests: [T('redteam-authority')], why: 'signedRewind: deleting or rewinding a team branch in signature mode needs the team\'s certificate',
  },
  {
    name: 'other-tags-architect', file: 'gate/ref-rules.ts',
    find: "if (context.policy.coord.otherTags === 'anyone') return null;",
    replace: 'return null;',
    tests: [T('redteam-refs')], why: 'tagRule: with other-tags: architect, only the architect pushes other tags',
  },
  {
    name: 'denied-kind', file: 'gate/ref-rules.ts',
    find: "case 'denied': return reject(update, kind.reason, kind.fix);",
    replace: "case 'denied': return kind.reason ? null : null;",
    tests: [T('redteam-refs')], why: 'refRule: refs outside heads/tags (and replace refs) are denied',
  },
  {
    name: 'bad-round-tag', file: 'gate/ref-rules.ts',
    find: "case 'bad-round-tag': return reject(update, `malformed round tag: ${kind.reason}`",
    replace: "case 'bad-round-tag': return kind.reason ? null : reject(update, `malformed round tag: ${kind.reason}`",
    tests: [T('redteam-refs')], why: 'refRule: malformed round tags are refused',
  },
  // ---------------------------------------------------------------- gate/refs.ts
  {
    name: 'replace-refs', file: 'gate/refs.ts',
    find: "if (ref.startsWith('refs/replace/')) {",
    replace: "if (false && ref.startsWith('refs/replace/')) {",
    tests: [T('redteam-refs'), T('gate-rules')], why: 'classifyOther: refs/replace/ is denied even when coord.extra-refs covers it',
  },
  {
    name: 'extra-refs-match', file: 'gate/refs.ts',
    find: "if (ref.startsWith('refs/') && matches(policy.coord.extraRefs, ref)) return { kind: 'extra-ref' };",
    replace: "if (ref.startsWith('refs/') && matches(policy.coord.extraRefs.length ? ['refs/'] : [], ref)) return { kind: 'extra-ref' };",
    tests: [T('gate-rules'), T('redteam-legit')], why: 'classifyOther: only the namespaces coord.extra-refs lists are accepted',
  },
  {
    name: 'round-tag-reserved', file: 'gate/refs.ts',
    find: "if (/^refs\\/tags\\/round-/.test(ref)) return { kind: 'bad-round-tag'",
    replace: "if (false && /^refs\\/tags\\/round-/.test(ref)) return { kind: 'bad-round-tag'",
    tests: [T('redteam-refs')], why: 'classifyTag: every other round-… tag is reserved',
  },
  {
    name: 'extra-branches-match', file: 'gate/refs.ts',
    find: "if (matches(policy.coord.extraBranches, branch)) return { kind: 'extra-branch', branch };",
    replace: "if (matches(policy.coord.extraBranches.length ? ['*'] : [], branch)) return { kind: 'extra-branch', branch };",
    tests: [T('gate-rules')], why: 'classifyRef: only branches coord.extra-branches lists escape the team namespaces',
  },
  // ---------------------------------------------------------------- gate/ref-names.ts
  {
    name: 'reserved-ref-names', file: 'gate/ref-names.ts',
    find: "if (short === 'HEAD' || /^(refs|heads|tags|remotes)\\//.test(short)) return",
    replace: "if (false && (short === 'HEAD' || /^(refs|heads|tags|remotes)\\//.test(short))) return",
    tests: [T('redteam-refs')], why: 'reservedName: HEAD, refs/…, heads/…, tags/…, remotes/… are ambiguous',
  },
  {
    name: 'tag-named-protected', file: 'gate/ref-names.ts',
    find: 'const branch = policy.coord.protected.find((name) => name.toLowerCase() === folded);',
    replace: 'const branch = policy.coord.protected.find((name) => false && name.toLowerCase() === folded);',
    tests: [T('gate-rules')], why: 'tagNameProblem: a tag named like a protected branch (one that does not exist yet: main itself is caught as a branch/tag twin)',
  },
  {
    name: 'tag-in-team-namespace', file: 'gate/ref-names.ts',
    find: 'const team = policy.teams.find((candidate) => folded === candidate.name || folded.startsWith(`${candidate.name}/`));',
    replace: 'const team = policy.teams.find((candidate) => false && (folded === candidate.name || folded.startsWith(`${candidate.name}/`)));',
    tests: [T('redteam-refs')], why: 'tagNameProblem: a tag inside a team\'s branch namespace',
  },
  {
    name: 'branch-tag-twin', file: 'gate/ref-names.ts',
    find: 'if (existing.has(twin(update.ref))) {',
    replace: 'if (false && existing.has(twin(update.ref))) {',
    tests: [T('redteam-refs')], why: 'ambiguousNames: a branch and a tag of the same name',
  },
  // ---------------------------------------------------------------- gate/start-tag.ts
  {
    name: 'start-tag-deletion', file: 'gate/start-tag.ts',
    find: "if (isDeletion(update)) return reject('round start tags are immutable: it cannot be deleted'",
    replace: "if (isDeletion(update)) return update.ref ? null : reject('round start tags are immutable: it cannot be deleted'",
    tests: [T('redteam-refs')], why: 'startTagRule: a start tag cannot be deleted',
  },
  {
    name: 'start-tag-move', file: 'gate/start-tag.ts',
    find: "if (!isCreation(update)) return reject('round start tags are immutable: it cannot be moved'",
    replace: "if (false && !isCreation(update)) return reject('round start tags are immutable: it cannot be moved'",
    tests: [T('redteam-refs')], why: 'startTagRule: a start tag cannot be moved',
  },
  {
    name: 'start-tag-pusher', file: 'gate/start-tag.ts',
    find: "if (policy.coord.identity === 'pusher' && !isArchitect(policy, context.pusher)) {",
    replace: "if (false && policy.coord.identity === 'pusher' && !isArchitect(policy, context.pusher)) {",
    tests: [T('gate-rules')], why: 'startTagRule in pusher mode: only the architect starts a round',
  },
  {
    name: 'start-tag-lightweight', file: 'gate/start-tag.ts',
    find: "if (!object || object.type !== 'tag') return reject(`a lightweight tag",
    replace: "if (!object) return reject(`a lightweight tag",
    tests: [T('redteam-refs')], why: 'startTagRule: a start tag is annotated',
  },
  {
    name: 'start-tag-name', file: 'gate/start-tag.ts',
    find: 'if (tag.tag !== name) return reject(',
    replace: 'if (false && tag.tag !== name) return reject(',
    tests: [T('redteam-refs')], why: 'startTagRule: the tag object is named like its ref (no replay as another round)',
  },
  {
    name: 'start-tag-signature', file: 'gate/start-tag.ts',
    find: 'if (verdict.ok) return null;',
    replace: 'if (verdict.ok || policy.coord.architects.length > 0) return null;',
    tests: [T('redteam-refs')], why: 'startTagRule: a start tag is signed by an architect key',
  },
  // ---------------------------------------------------------------- gate/done-tags.ts
  {
    name: 'done-tag-deletion', file: 'gate/done-tags.ts',
    find: 'if (isDeletion(update)) return reject(`done tags are immutable',
    replace: 'if (isDeletion(update)) return update.ref ? null : reject(`done tags are immutable',
    tests: [T('gate-rounds')], why: 'doneTagRule: a done tag cannot be deleted',
  },
  {
    name: 'done-tag-move', file: 'gate/done-tags.ts',
    find: 'if (!isCreation(update)) return reject(`done tags are immutable',
    replace: 'if (false && !isCreation(update)) return reject(`done tags are immutable',
    tests: [T('gate-rounds')], why: 'doneTagRule: a done tag cannot be moved',
  },
  {
    name: 'done-tag-pusher-member', file: 'gate/done-tags.ts',
    find: "if (context.policy.coord.identity === 'pusher' && !isArchitect(context.policy, context.pusher)",
    replace: "if (false && context.policy.coord.identity === 'pusher' && !isArchitect(context.policy, context.pusher)",
    tests: [T('gate-rules')], why: 'doneTagRule in pusher mode: only a member (or the architect) signals a team\'s round',
  },
  {
    name: 'done-tag-signature', file: 'gate/done-tags.ts',
    find: 'if (!verdict.ok) {',
    replace: 'if (false && !verdict.ok) {',
    tests: [T('gate-rounds')], why: 'doneTagRule: verifyDoneTag (annotated, named like its ref, signed by the team)',
  },
  {
    name: 'done-tag-on-team-branch', file: 'gate/done-tags.ts',
    find: 'return reject(`${name} points at ${target.slice(0, 10)}',
    replace: 'if (target) return null; return reject(`${name} points at ${target.slice(0, 10)}',
    tests: [T('gate-rounds')], why: 'doneTagRule: the tagged commit is on one of the team\'s branches',
  },
  // ---------------------------------------------------------------- gate/team-commits.ts
  {
    name: 'team-commits-exclude-own-team-only', file: 'gate/team-commits.ts',
    find: '.filter((ref) => protectedRefs.has(ref.name) || ref.name.startsWith(`refs/heads/${team}/`))',
    replace: '.filter((ref) => protectedRefs.has(ref.name) || ref.name.startsWith(`refs/heads/`))',
    tests: [T('gate-rules')], why: 'teamCommits: commits on another team\'s branches are not judged for this team (excluded refs are this team\'s only)',
  },
  {
    name: 'team-commits-exclude-protected', file: 'gate/team-commits.ts',
    find: '.filter((ref) => protectedRefs.has(ref.name) || ref.name.startsWith(`refs/heads/${team}/`))',
    replace: '.filter((ref) => ref.name.startsWith(`refs/heads/${team}/`))',
    tests: [T('gate-ref')], why: 'teamCommits: main\'s commits are not the team\'s to answer for (merging main into a team branch)',
  },
  {
    name: 'team-commits-exclude-team-refs', file: 'gate/team-commits.ts',
    find: '.filter((ref) => protectedRefs.has(ref.name) || ref.name.startsWith(`refs/heads/${team}/`))',
    replace: '.filter((ref) => protectedRefs.has(ref.name))',
    tests: [T('gate-rules')], why: 'teamCommits: commits already on the team\'s branches were judged for it (e.g. the architect\'s announcement on fw/round-1)',
  },
  {
    name: 'attribute-every-team', file: 'gate/team-commits.ts',
    find: 'if (seen.has(commit) || !graph.has(commit)) continue;',
    replace: 'if (seen.has(commit) || !graph.has(commit) || owners.has(commit)) continue;',
    tests: [T('gate-rules')], why: 'attribute: a commit pushed to two teams\' refs is judged for every team',
  },
  // ---------------------------------------------------------------- gate/commits.ts
  {
    name: 'judge-commits-every-actor', file: 'gate/commits.ts',
    find: 'for (let index = 0; index < actors.length; index++) {',
    replace: 'for (let index = 0; index < Math.min(actors.length, 1); index++) {',
    tests: [T('gate-rules')], why: 'judgeCommits: every write is judged for each actor owning the commit',
  },
  {
    name: 'architect-by-signature', file: 'gate/commits.ts',
    find: '.then((result) => result.ok));',
    replace: '.then(() => true));',
    tests: [T('redteam-content')], why: 'architectBySignature: an architect commit is one signed by an architect key',
  },
  // ---------------------------------------------------------------- gate/scope.ts
  {
    name: 'round-exception-regular-file', file: 'gate/scope.ts',
    find: 'if (actor.round === undefined || !(REGULAR.test(write.mode) || write.mode === DELETED_MODE)) return null;',
    replace: 'if (actor.round === undefined || !(REGULAR.test(write.mode) || write.mode === DELETED_MODE || true)) return null;',
    tests: [T('redteam-content')], why: 'roundException: REPLY.md / ANNOUNCEMENT.md are regular files (not links or gitlinks)',
  },
  {
    name: 'round-exception-reply-path', file: 'gate/scope.ts',
    find: "if (write.path === replyPath(actor.round, actor.team.name)) return 'allowed';",
    replace: "if (write.path.endsWith('/REPLY.md') || write.path === replyPath(actor.round, actor.team.name)) return 'allowed';",
    tests: [T('redteam-content')], why: 'roundException: only this team\'s REPLY.md of this round',
  },
  {
    name: 'round-exception-announcement-path', file: 'gate/scope.ts',
    find: 'if (write.path !== announcementPath(actor.round, actor.team.name)) return null;',
    replace: "if (!write.path.endsWith('/ANNOUNCEMENT.md') && write.path !== announcementPath(actor.round, actor.team.name)) return null;",
    tests: [T('redteam-content')], why: 'roundException: only this team\'s ANNOUNCEMENT.md of this round',
  },
  {
    name: 'round-exception-by-architect', file: 'gate/scope.ts',
    find: "if (write.commit === NET_CHANGE || (await context.byArchitect(write.commit))) return 'allowed';",
    replace: "if (write.commit === NET_CHANGE || (await context.byArchitect(write.commit)) || true) return 'allowed';",
    tests: [T('redteam-content')], why: 'roundException: ANNOUNCEMENT.md needs the architect\'s proof',
  },
  {
    name: 'policy-file-before-exception', file: 'gate/scope.ts',
    find: "  if (isPolicyPath(context.policy, write.path, content)) return { commit: write.commit, path: write.path, team: team.name, reason: 'policy-file' };\n  const exception = await roundException(context, actor, write);\n  if (exception === 'allowed') return null;",
    replace: "  const exception = await roundException(context, actor, write);\n  if (exception === 'allowed') return null;\n  if (isPolicyPath(context.policy, write.path, content)) return { commit: write.commit, path: write.path, team: team.name, reason: 'policy-file' };",
    tests: [T('gate-rules')], why: 'judgeWrite: a policy file stays the architect\'s even where a round exception applies',
  },
  {
    name: 'symlink-verdict', file: 'gate/scope.ts',
    find: 'return write.mode === SYMLINK_MODE ? symlinkVerdict(context, team, write) : null;',
    replace: 'return write.mode === SYMLINK_MODE && false ? symlinkVerdict(context, team, write) : null;',
    tests: [T('gate-ref')], why: 'judgeWrite: a symlink in scope is judged by where it leads',
  },
  {
    name: 'symlink-recheck-other-links', file: 'gate/scope.ts',
    find: 'const other = await linksOfScopeEscaping(readers, team, inScope, write.root);',
    replace: 'const other = write.root ? null : await linksOfScopeEscaping(readers, team, inScope, write.root);',
    tests: [T('redteam-symlinks'), T('gate-rules')], why: 'symlinkVerdict: a new link can make links already there lead outside',
  },
  {
    name: 'claude-md-front-matter', file: 'gate/scope.ts',
    find: 'return isClaudeFile(path) && newContent !== null && hasFrontMatter(newContent);',
    replace: "return isClaudeFile(path) && newContent !== null && hasFrontMatter(newContent) && path === '';",
    tests: [T('gate-ref')], why: 'isPolicyPath: a new CLAUDE.md with front-matter is a policy file',
  },
  // ---------------------------------------------------------------- gate/links.ts
  {
    name: 'links-resolve-through-tree', file: 'gate/links.ts',
    find: 'return verdict.inside ? null : verdict.reason;',
    replace: 'return verdict.inside ? null : (path ? null : verdict.reason);',
    tests: [T('redteam-symlinks')], why: 'linkEscapes: a link resolved through the commit\'s tree (links, "..") must stay in the scope',
  },
  // ---------------------------------------------------------------- gate/signature-mode.ts
  {
    name: 'signature-mode-unsigned', file: 'gate/signature-mode.ts',
    find: 'if (!verdict.ok) {',
    replace: 'if (false && !verdict.ok) {',
    tests: [T('gate-signature')], why: 'requireTeamSignatures: every commit entering a team\'s branches is signed',
  },
  {
    name: 'signature-mode-own-team', file: 'gate/signature-mode.ts',
    find: 'principals: [...teamPrincipals(team), ...context.policy.coord.architects]',
    replace: 'principals: [...context.policy.teams.flatMap(teamPrincipals), ...context.policy.coord.architects]',
    tests: [T('gate-signature')], why: 'requireTeamSignatures: by a key of the owning team, not any team',
  },
  // ---------------------------------------------------------------- gate/push.ts and gate/authority.ts
  {
    name: 'push-tree-check', file: 'gate/push.ts',
    find: 'if (treeProblems.length) {',
    replace: 'if (false && treeProblems.length) {',
    tests: [T('redteam-trees')], why: 'judgePush: new trees are validated like git fsck before any path is judged',
  },
  {
    name: 'architect-proof-certificate-principal', file: 'gate/push.ts',
    find: 'return proof.ok && policy.coord.architects.includes(proof.principal!);',
    replace: 'return proof.ok;',
    tests: [T('gate-rules')], why: 'architectProof: a certificate proves an announcement only when an architect signed it',
  },
  {
    name: 'certificate-settle', file: 'gate/authority.ts',
    find: "if (cert?.nonce) await claimNonce(",
    replace: "if (cert?.nonce && cert.nonce === '') await claimNonce(",
    tests: [T('gate-rules')], why: 'settle: a certificate no rule needed is still recorded as used (no later replay)',
  },
  {
    name: 'policy-update-validated', file: 'gate/push.ts',
    find: '  if (invalid) rejections.push(invalid);',
    replace: '  void invalid;',
    tests: [T('policy-lockout')], why: 'an update of the policy branch whose policy does not validate is rejected before it lands',
  },
  {
    name: 'signers-architect-key-kept', file: 'gate/policy-recovery.ts',
    find: "if (next.policy.coord.identity !== 'pusher' && !keyed) {",
    replace: "if (next.policy.coord.identity !== 'pusher' && !keyed && false) {",
    tests: [T('policy-lockout')], why: 'a policy-branch update may not leave the architects without a key',
  },
  {
    name: 'recovery-proved-by-last-valid-architect', file: 'gate/policy-recovery.ts',
    find: 'return architects.includes(proof.principal!) ? null :',
    replace: 'return proof.principal ? null :',
    tests: [T('policy-lockout')], why: 'the fix of a broken policy is proved against the last valid policy, not the words of the fix',
  },
  {
    name: 'recovery-fix-alone', file: 'gate/policy-recovery.ts',
    find: '  if (others.length) throw refuse(',
    replace: '  if (others.length && false) throw refuse(',
    tests: [T('policy-lockout')], why: 'the fix of a broken policy updates the policy branch alone',
  },
  {
    name: 'recovery-needs-proof', file: 'gate/push.ts',
    find: '    if (why) {\n      await certificates.settle();',
    replace: "    if (why === 'never') {\n      await certificates.settle();",
    tests: [T('policy-lockout')], why: 'the fix of a broken policy needs an architect proved (certificate or host account)',
  },
];

// ---------------------------------------------------------------------------------------------

function run(command, args, options = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    current.child = child;
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('close', (code, signal) => { current.child = null; done({ code: code ?? 1, signal, output }); });
  });
}

/** The file being mutated and its original bytes, for restoring on any exit. */
const current = { path: null, original: null, child: null };

function restore() {
  if (current.path && current.original) writeFileSync(current.path, current.original);
  current.path = null;
  current.original = null;
  if (existsSync(BACKUP)) unlinkSync(BACKUP);
}

/** True when the backup belongs to a run that is still going (then this run must not start). */
function restoreBackupFromHardKill() {
  if (!existsSync(BACKUP)) return false;
  const backup = JSON.parse(readFileSync(BACKUP, 'utf8'));
  try {
    process.kill(backup.pid, 0);
    return true; // alive: its file is mutated on purpose
  } catch { /* gone: restore below */ }
  writeFileSync(backup.path, Buffer.from(backup.original, 'base64'));
  unlinkSync(BACKUP);
  console.error(`restored ${backup.path} from ${BACKUP} (an earlier run was killed)`);
  return false;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (current.child) current.child.kill('SIGTERM');
    restore();
    console.error(`\n${signal}: file restored; dist/ may hold a mutated build until the next build (npm run build)`);
    process.exit(130);
  });
}

const occurrences = (text, find) => text.split(find).length - 1;

function checkFinds(mutations) {
  const problems = [];
  for (const mutation of mutations) {
    const text = readFileSync(join(ROOT, mutation.file), 'utf8');
    const count = occurrences(text, mutation.find);
    if (count !== 1) problems.push(`${mutation.name}: "find" occurs ${count} times in ${mutation.file}`);
    if (mutation.find === mutation.replace) problems.push(`${mutation.name}: replace equals find`);
  }
  const names = mutations.map((mutation) => mutation.name);
  for (const name of names) if (names.indexOf(name) !== names.lastIndexOf(name)) problems.push(`${name}: duplicate name`);
  return problems;
}

const build = () => run(process.execPath, [TSC, '-p', 'tsconfig.build.json']);

async function runMutation(mutation, outDir) {
  const path = join(ROOT, mutation.file);
  const original = readFileSync(path);
  const text = original.toString('utf8');
  if (occurrences(text, mutation.find) !== 1) return { status: 'BAD FIND', detail: `find occurs ${occurrences(text, mutation.find)} times` };
  const tests = mutation.tests.filter((test) => existsSync(join(ROOT, test)));
  if (tests.length === 0) return { status: 'NO TESTS', detail: `none of ${mutation.tests.join(', ')} exists` };
  current.path = path;
  current.original = original;
  writeFileSync(BACKUP, JSON.stringify({ pid: process.pid, path, original: original.toString('base64') }));
  try {
    writeFileSync(path, text.replace(mutation.find, () => mutation.replace));
    const built = await build();
    if (built.code !== 0) return { status: 'BUILD FAILED', detail: built.output.trim().split('\n').slice(0, 3).join(' | ') };
    const report = join(outDir, `${mutation.name}.json`);
    const jest = await run(process.execPath, [JEST, '--silent', '--json', '--outputFile', report, ...tests], { env: { COORD_HOOKS_TEST_NO_BUILD: '1' } });
    if (jest.signal) throw new Error(`jest was killed (${jest.signal})`);
    if (jest.code === 0) return { status: 'SURVIVED', detail: '' };
    const failure = firstFailure(report, jest.output);
    return failure === null ? { status: 'NO TESTS', detail: jest.output.trim().split('\n')[0] } : { status: 'CAUGHT', detail: failure };
  } finally {
    restore();
  }
}

function firstFailure(report, output) {
  try {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    if (result.numTotalTestSuites === 0 || (result.numTotalTests === 0 && !result.numFailedTestSuites)) return null;
    for (const suite of result.testResults) {
      const failed = suite.assertionResults.find((assertion) => assertion.status === 'failed');
      if (failed) return `${suite.name.slice(ROOT.length + 1)} › ${failed.fullName}`;
    }
    const broken = result.testResults.find((suite) => suite.status === 'failed');
    if (broken) return `${broken.name.slice(ROOT.length + 1)} (suite failed: ${String(broken.message).split('\n').find((line) => line.trim()) ?? ''})`;
  } catch { /* fall through */ }
  return `jest failed: ${output.trim().split('\n').slice(-1)[0]}`;
}

function table(rows) {
  const header = ['mutation', 'file', 'result', 'caught by'];
  const lines = rows.map((row) => [row.name, row.file, row.status, row.detail]);
  const widths = header.map((title, index) => Math.max(title.length, ...lines.map((line) => (index === 3 ? 0 : String(line[index]).length))));
  const format = (cells) => cells.map((cell, index) => (index === 3 ? cell : String(cell).padEnd(widths[index]))).join('  ');
  return [format(header), format(widths.map((width) => '-'.repeat(width)).concat('---------')), ...lines.map(format)].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]?.split(',') : null;
  let mutations = MUTATIONS;
  if (only) {
    const unknown = only.filter((name) => !MUTATIONS.some((mutation) => mutation.name === name));
    if (unknown.length || !only.length) { console.error(`unknown mutation: ${unknown.join(', ') || '(none given)'}; --list shows them`); process.exit(2); }
    mutations = MUTATIONS.filter((mutation) => only.includes(mutation.name));
  }
  if (args.includes('--list')) {
    for (const mutation of mutations) console.log(`${mutation.name}\n  ${mutation.file}: ${mutation.why}\n  tests: ${mutation.tests.join(' ')}`);
    return 0;
  }
  const problems = checkFinds(mutations);
  if (problems.length) { console.error(problems.join('\n')); return 2; }
  if (args.includes('--check')) { console.log(`${mutations.length} mutations, every find occurs exactly once`); return 0; }
  if (restoreBackupFromHardKill()) { console.error(`another run is mutating this checkout (${BACKUP}); wait for it to finish`); return 2; }

  const outDir = mkdtempSync(join(tmpdir(), 'coord-hooks-mutation-'));
  const rows = [];
  try {
    for (const [index, mutation] of mutations.entries()) {
      const started = Date.now();
      process.stderr.write(`[${index + 1}/${mutations.length}] ${mutation.name} (${mutation.file}) … `);
      const result = await runMutation(mutation, outDir);
      const seconds = Math.round((Date.now() - started) / 1000);
      process.stderr.write(`${result.status}${result.detail ? `: ${result.detail}` : ''} (${seconds} s)\n`);
      rows.push({ ...mutation, ...result, seconds });
    }
  } finally {
    restore();
    const rebuilt = await build();
    if (rebuilt.code !== 0) console.error(`rebuilding dist/ from the restored sources failed:\n${rebuilt.output}`);
    rmSync(outDir, { recursive: true, force: true });
  }
  console.log(table(rows));
  const count = (status) => rows.filter((row) => row.status === status).length;
  console.log(`\n${rows.length} mutations: ${count('CAUGHT')} caught, ${count('SURVIVED')} survived, ${count('NO TESTS')} without tests, ${count('BUILD FAILED') + count('BAD FIND')} broken`);
  return rows.every((row) => row.status === 'CAUGHT') ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main().then((code) => { process.exitCode = code; }, (error) => { restore(); console.error(error); process.exitCode = 1; });
