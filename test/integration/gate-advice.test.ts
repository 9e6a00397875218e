/**
 * The advice a rejected push carries fits the mistake: round files on a misspelt round branch get the
 * right branch name, files under .claude/ get advice about Claude Code settings. Real pushes to a
 * gated server.
 */
import { makeSetup, push, type Setup } from '../../fixtures/server';
import type { Repo } from '../../fixtures/repo';

let setup: Setup;
let fw: Repo;

beforeAll(async () => {
  setup = await makeSetup();
  fw = setup.clone('fw');
});

const GENERIC = 'move those changes to the owning team\'s branch';

test('a REPLY.md pushed to a misspelt round branch names the round branch it belongs on', () => {
  fw.git(['checkout', '-q', '-B', 'fw/roudn-1', 'origin/main']);
  fw.commit('reply', { 'rounds/1/fw/REPLY.md': 'done\n' });
  const result = push(fw, ['fw/roudn-1']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('rounds/1/fw/REPLY.md');
  expect(result.output).toContain("outside team fw's write scope; REPLY.md is written only on the round branch fw/round-1; this is fw/roudn-1: did you mean fw/round-1?");
  expect(result.output).not.toContain('no team may write it');
  expect(result.output).toContain('what to do: a round\'s files (rounds/N/<team>/) change only on that team\'s round branch (fw/round-1): push those commits there (`git push origin HEAD:fw/round-1`)');
  expect(result.output).not.toContain(GENERIC);
  // The advice, followed as written, lands the reply.
  expect(push(fw, ['HEAD:fw/round-1']).code).toBe(0);
});

test('another team\'s round file is named as that team\'s, on its round branch', () => {
  fw.git(['checkout', '-q', '-B', 'fw/round-2', 'origin/main']);
  fw.commit('reply for pm', { 'rounds/2/pm/REPLY.md': 'not mine\n' });
  const result = push(fw, ['fw/round-2']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain("outside team fw's write scope; it is team pm's round file, written only on pm/round-2");
  expect(result.output).not.toContain('did you mean');
});

test('files under .claude/ get advice about Claude Code settings, not "the owning team"', () => {
  fw.git(['checkout', '-q', '-B', 'fw/settings', 'origin/main']);
  fw.commit('settings', { '.claude/settings.json': '{}\n', 'fw/ok.txt': 'ok\n' });
  const result = push(fw, ['fw/settings']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain(".claude/settings.json");
  expect(result.output).toContain("no team may write it (.claude/ holds the Claude Code settings every agent's session reads)");
  expect(result.output).toContain('what to do: drop the .claude/ changes from those commits');
  expect(result.output).toContain('.claude/settings.local.json, which `coord-hooks install --claude` writes and keeps out of git');
  expect(result.output).not.toContain(GENERIC);
  // A push with an ordinary out-of-scope file as well gets both pieces of advice.
  fw.commit('and pm', { 'pm/x.md': 'x\n' });
  const both = push(fw, ['fw/settings']);
  expect(both.output).toContain(GENERIC);
  expect(both.output).toContain('what to do: drop the .claude/ changes');
});
