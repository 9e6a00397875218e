/**
 * `coord-hooks report` on a real round history: a bare server with the gate, two announced rounds,
 * replies, signed done tags, a push the gate rejected (so the audit log has entries) and a commit
 * subject that tries HTML injection. The JSON, the terminal board and the HTML file are checked, then
 * the HTML is loaded in headless Chromium (the DOM it renders, and a screenshot for people to look at).
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';
import { runProcess } from '../../core/process';
import { runCommand } from '../../fixtures/cli';
import { missingMessage } from '../../fixtures/prerequisites';
import { makeSshKey, signersLine } from '../../fixtures/keys';
import { tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, makeSetup, push, type Setup } from '../../fixtures/server';
import type { Board } from '../../report/board';
import { formatTerminal, wantsFancy } from '../../report/terminal';

let setup: Setup;
let fw: Repo;
let pm: Repo;
const run = (repo: Repo, ...argv: string[]) => runCommand(argv, { cwd: repo.dir, env: repo.env });
const INJECTION = 'reply: <script>alert("x")</script> & <img src=x onerror=alert(1)>';

async function ok(repo: Repo, ...argv: string[]): Promise<string> {
  const result = await run(repo, ...argv);
  if (result.code !== 0) throw new Error(`${argv.join(' ')} failed (${result.code}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function onRoundBranch(repo: Repo, branch: string): void {
  repo.git(['fetch', '-q', 'origin']);
  repo.git(['switch', '-q', '-c', branch, '--track', `origin/${branch}`]);
}

beforeAll(async () => {
  const keys = tempDir('coord-hooks-report-keys-');
  const fwKey = await makeSshKey(keys, 'fw');
  const pmKey = await makeSshKey(keys, 'pm');
  setup = await makeSetup({ signers: [signersLine('fw', fwKey), signersLine('pm', pmKey)] });
  fw = setup.clone('fw');
  fw.git(['config', 'coord-hooks.team', 'fw']);
  configureSigning(fw, fwKey);
  pm = setup.clone('pm');
  pm.git(['config', 'coord-hooks.team', 'pm']);
  configureSigning(pm, pmKey);

  await ok(setup.architect, 'announce', '--team', 'fw,pm,qa', '--round', '1', '--expect', 'fw,pm', '-m', 'Round 1: make the engine 2x faster.');
  onRoundBranch(fw, 'fw/round-1');
  fw.commit('engine: cache the hot path', { 'fw/engine.txt': 'fast\n' });
  await ok(fw, 'reply', '-m', 'Done: 2.3x on the benchmark.');
  await ok(fw, 'signal-done', '--round', '1');

  onRoundBranch(pm, 'pm/round-1');
  pm.commit('pm writes into fw', { 'fw/x.txt': 'not ours\n' });
  expect(push(pm, ['pm/round-1']).code).not.toBe(0);
  pm.git(['reset', '-q', '--hard', 'origin/pm/round-1']);
  await ok(pm, 'reply', '-m', 'Plan written.');
  await ok(pm, 'signal-done', '--round', '1');

  await ok(setup.architect, 'announce', '--team', 'fw,pm', '--round', '2', '--expect', 'fw,pm', '-m', 'Round 2: ship it.');
  onRoundBranch(fw, 'fw/round-2');
  fw.commit(INJECTION, { 'rounds/2/fw/REPLY.md': 'shipping\n' });
  expect(push(fw, ['fw/round-2']).code).toBe(0);
});

test('--json: rounds × teams cells, rejected pushes and a timeline', async () => {
  const board = JSON.parse(await ok(setup.architect, 'report', '--json', '--audit', setup.server.dir)) as Board;
  expect(board.teams).toEqual(['fw', 'pm', 'qa']);
  expect(board.rounds.map((round) => round.round)).toEqual([1, 2]);
  const [one, two] = board.rounds;
  expect(one).toMatchObject({ complete: true, expected: ['fw', 'pm'] });
  expect(one.cells.fw).toMatchObject({ state: 'done', expected: true, done: { signer: 'fw' } });
  expect(one.cells.fw.replied?.subject).toBe('reply: round 1 (fw)');
  expect(one.cells.pm).toMatchObject({ state: 'done', done: { signer: 'pm' } });
  expect(one.cells.qa).toMatchObject({ state: 'announced', expected: false });
  expect(two.complete).toBe(false);
  expect(two.cells.fw).toMatchObject({ state: 'replied', replied: { subject: INJECTION } });
  expect(two.cells.pm.state).toBe('announced');
  expect(two.cells.qa.state).toBe('none');
  expect(board.rejected).toEqual({ pm: { count: 1, last: expect.any(String), reason: expect.stringContaining('fw/x.txt') } });
  expect(board.audit).toBe(join(setup.server.dir, 'coord-hooks', 'audit.jsonl'));
  const kinds = board.timeline.map((event) => `${event.kind}:${event.team ?? '*'}:${event.round ?? ''}`);
  expect(kinds).toEqual(expect.arrayContaining(['announced:fw:1', 'announced:qa:1', 'replied:fw:1', 'done:fw:1', 'done:pm:1', 'rejected:pm:1', 'round-complete:*:1', 'replied:fw:2']));
  expect(kinds.filter((kind) => kind.startsWith('round-complete'))).toHaveLength(1);
  const times = board.timeline.map((event) => Math.floor(Date.parse(event.time) / 1000));
  expect(times).toEqual([...times].sort((a, b) => a - b));

  // In a clone without --audit there is no audit log to read: no rejected counts, completion derived from the tags.
  const clone = JSON.parse(await ok(setup.architect, 'report', '--json', '--no-fetch')) as Board;
  expect(clone.rejected).toBeUndefined();
  expect(clone.timeline.filter((event) => event.kind === 'round-complete')).toHaveLength(1);
});

test('terminal board: marks per cell and rejected counts, ASCII when not a terminal', async () => {
  const text = await ok(setup.server, 'report');
  expect(text).toMatch(/^ +fw +pm +qa$/m);
  expect(text).toMatch(/^round 1 complete +\[x\] done fw .+\[x\] done pm .+\[a\] announced \*$/m);
  expect(text).toMatch(/^round 2 open +\[r\] replied .+\[a\] announced +- *$/m);
  expect(text).toContain('rejected pushes (audit log): pm 1');
  expect(text).toContain('* not expected by the round');
  expect(text).not.toContain('\u001b');
  const inClone = await run(pm, 'report', '--no-fetch');
  expect(inClone.stdout).toContain('rejected pushes: no audit log here');

  // On a terminal: colour and Unicode marks, unless NO_COLOR.
  expect(wantsFancy(true, {})).toBe(true);
  expect(wantsFancy(true, { NO_COLOR: '1' })).toBe(false);
  expect(wantsFancy(false, {})).toBe(false);
  const board = JSON.parse(await ok(setup.server, 'report', '--json')) as Board;
  const fancy = formatTerminal(board, { fancy: true });
  expect(fancy).toContain('\u001b[32m✓ done fw ');
  expect(fancy).toContain('✎ replied');
  expect(fancy).toContain('… announced *');
});

test('usage: a missing audit log, extra arguments and --help', async () => {
  const missing = await run(setup.architect, 'report', '--audit', 'nope.jsonl');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('no audit log at');
  expect((await run(setup.architect, 'report', 'extra')).code).toBe(2);
  const help = await run(setup.architect, 'report', '--help');
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--html FILE');
  expect(help.stdout).toMatch(/Exit codes: 0 .* 2 /);
  const toStdout = await run(setup.architect, 'report', '--no-fetch', '--html', '-');
  expect(toStdout.stdout).toMatch(/^<!doctype html>[^]*<\/html>\n$/);
});

function findChromium(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

const chromeFlags = (profile: string) => ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];

test('--html: one self-contained, escaped file that headless Chromium renders', async () => {
  const out = mkdtempSync(join(tmpdir(), 'coord-hooks-report-'));
  const file = join(out, 'report.html');
  const text = await ok(setup.server, 'report', '--html', file);
  expect(text).toContain(`HTML report: ${file}`);
  const html = readFileSync(file, 'utf8');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('<meta name="generator" content="coord-hooks">');
  expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b|@import|url\(|\b(src|href)="/i);
  expect(html).toContain('reply: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
  expect(html).toContain('class="cell done"');

  const chromium = findChromium();
  if (!chromium) throw new Error(missingMessage('the browser check of the HTML report', ['headless Chromium (Debian package chromium)']) ?? '');
  const env = { ...process.env, HOME: out };
  const url = `file://${file}`;
  const dom = await runProcess(chromium, [...chromeFlags(join(out, 'profile-dom')), '--dump-dom', url], { env, timeoutMs: 30_000 });
  expect(dom.code).toBe(0);
  expect(dom.stdout).toContain('Rounds report');
  expect(dom.stdout).toMatch(/<th scope="col">fw<\/th><th scope="col">pm<\/th><th scope="col">qa<\/th>/);
  expect(dom.stdout).toMatch(/class="cell done"[^>]*><b>✓ done<\/b><span>signed by <strong>fw<\/strong><\/span>/);
  expect(dom.stdout).toContain('signed by <strong>pm</strong>');
  expect(dom.stdout).toContain('push rejected');
  expect(dom.stdout).not.toMatch(/<script|<img/i);

  const png = join(out, 'report.png');
  const shot = await runProcess(chromium, [...chromeFlags(join(out, 'profile-shot')), `--screenshot=${png}`, '--window-size=1280,900', url], { env, timeoutMs: 30_000 });
  expect(shot.code).toBe(0);
  expect(existsSync(png)).toBe(true);
  expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(statSync(png).size).toBeGreaterThan(20_000);
  console.log(`report.test: screenshot of the HTML report: ${png}`);
}, 120_000);
