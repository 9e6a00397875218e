/**
 * The seven scenarios. Each returns table rows: coord-hooks' median, a floor measured in the same run
 * on the same repository (interleaved with it), the peer where there is one, peak RSS, the targets.
 */
import { readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../core/process';
import { preToolUse } from '../fixtures/client-hooks';
import { gitSync } from '../git/run';
import { CLI, type Bench, type WorldPush } from './context';
import { spreadPath } from './generate';
import { HarnessError, hookTimings, interleaved, peakRssMb, slowCheck, timeOnce, timeWithRss, type RunSpec } from './measure';
import { absoluteTarget, formatMs, peerTarget, ratioTarget, rssTarget, series, type Row, type Series } from './report';
import { gitExecPath, type ReceiveWorld } from './worlds';
import { scenario11, scenario12 } from './scenarios-e2e';
import { scenario10 } from './warm-scenarios';

/** git's own enumeration of a push: the commits, then every path each commit writes. */
const PUSH_FLOOR = 'git rev-list "$1" --not --all | git diff-tree --stdin -r -z --no-renames --root -m >/dev/null';
/**
 * The same, read through a pipe by a consumer that does nothing. Not the floor (the target is against
 * git's own cost), a diagnostic: any gate in another process pays for the pipe, and git's writes to a
 * pipe cost more than to /dev/null (docs/performance.md).
 */
const PIPED_FLOOR = 'git rev-list "$1" --not --all | git diff-tree --stdin -r -z --no-renames --root -m | cat >/dev/null';
const PUSH_FLOOR_LABEL = '`git rev-list NEW --not --all | git diff-tree --stdin -r -z --no-renames --root -m` in the quarantine environment';

const ratioOf = (coord: Series, floor: Series | null) => (floor && floor.median > 0 ? coord.median / floor.median : null);
const ms = (value: number) => `${value.toFixed(1)} ms`;

function nodeFloor(env: NodeJS.ProcessEnv, cwd: string): RunSpec {
  return { command: process.execPath, args: ['-e', '0'], env, cwd };
}

/** COORD_HOOKS_WARM=0: the hook starts node itself (the cold path, as when no warm process runs). */
const COLD = { COORD_HOOKS_WARM: '0' };

function preReceiveSpec(world: ReceiveWorld, wp: WorldPush, extra: NodeJS.ProcessEnv = {}): RunSpec {
  return { command: world.hookPath('pre-receive'), args: [], env: { ...world.hookEnv(wp.push.quarantine), ...extra }, cwd: world.server.dir, input: world.hookInput(wp.push) };
}

function postReceiveSpec(world: ReceiveWorld, wp: WorldPush): RunSpec {
  return { command: world.hookPath('post-receive'), args: [], env: world.hookEnv(null), cwd: world.server.dir, input: world.hookInput(wp.push) };
}

function pushFloorSpec(world: ReceiveWorld, wp: WorldPush, script = PUSH_FLOOR): RunSpec {
  return { command: '/bin/sh', args: ['-c', script, 'floor', wp.push.new], env: world.hookEnv(wp.push.quarantine), cwd: world.server.dir };
}

/** "piped floor X ms (ratio Y)": the diagnostic of PIPED_FLOOR. */
function pipedNote(coord: Series, samples: number[]): string {
  const piped = series('', samples);
  return `floor read through a pipe (\`… | cat\`): ${ms(piped.median)}, ratio to it ${(coord.median / piped.median).toFixed(2)}×`;
}

/**
 * A cross-check of the replay: the same push for real (`git push` from the client into the server,
 * through the installed hooks) with GIT_TRACE2_EVENT; git's own timing of each hook. The server ref is
 * put back afterwards.
 */
function realPush(bench: Bench, wp: WorldPush): Record<string, number> {
  const { world, push } = wp;
  const trace = join(world.setup.root, `trace2-push-${push.name}.json`);
  rmSync(trace, { force: true });
  const result = gitSync(['push', '-q', world.server.dir, `${push.new}:${push.ref}`], {
    cwd: world.client.dir, env: { ...world.env, GIT_TRACE2_EVENT: trace }, okCodes: Array.from({ length: 255 }, (_, code) => code + 1),
  });
  slowCheck(`the real push of ${push.ref}`, 0, result.stderr);
  if (result.code !== 0) throw new HarnessError(`the real push of ${push.ref} was rejected (exit ${result.code}):\n${result.stderr.trim()}`);
  world.restore(push);
  const out: Record<string, number> = {};
  for (const timing of hookTimings([trace])) out[timing.hook] = (out[timing.hook] ?? 0) + timing.ms;
  if (out['pre-receive'] === undefined) throw new HarnessError(`no pre-receive in the trace2 events of the real push of ${push.ref}`);
  bench.log(`${push.name}: real push, hooks as git timed them: ${Object.entries(out).map(([hook, value]) => `${hook} ${ms(value)}`).join(', ')}`);
  return out;
}

/** gitolite's hook time for the same push (its branch reset to `base` before each), or null. */
async function peerSeries(bench: Bench, name: 'big' | 'bulk', wp: WorldPush, peerRef: string, runs: number): Promise<Series | null> {
  const peer = await bench.peerRepo(name, wp.world, [peerRef]);
  if (!peer) return null;
  const push = () => Promise.resolve(peer.push(name, wp.world.client, wp.push.new, peerRef, wp.world.mainTip));
  const [samples] = await interleaved(runs, [push]);
  return series(`gitolite update hook (VREF/NAME), pushing to ${peerRef} from main's tip`, samples);
}

/**
 * Two rows for one push: the installed pre-receive cold (`id`: node started by the hook) and warm
 * (`id`w: answered by the server's warm process, running as it does between pushes), interleaved with
 * git's enumeration and its piped diagnostic. The warm row carries issue 15's target (≤ 2× git's
 * enumeration); the cold row keeps the first targets (≤ 1.5×).
 */
async function preReceiveRows(bench: Bench, id: string, scenario: string, wp: WorldPush, runs: number, peerName: 'big' | 'bulk'): Promise<Row[]> {
  const { world, push } = wp;
  const cold = preReceiveSpec(world, wp, COLD);
  const warm = preReceiveSpec(world, wp);
  const floorSpec = pushFloorSpec(world, wp);
  const pipedSpec = pushFloorSpec(world, wp, PIPED_FLOOR);
  await world.warm.start(() => timeOnce(warm, `scenario ${id} pre-receive (starting the warm process)`));
  const [coldSamples, warmSamples, floorSamples, pipedSamples] = await interleaved(runs, [
    () => timeOnce(cold, `scenario ${id} pre-receive`), () => timeOnce(warm, `scenario ${id}w pre-receive warm`),
    () => timeOnce(floorSpec, `scenario ${id} floor`), () => timeOnce(pipedSpec, `scenario ${id} piped floor`),
  ]);
  const rssMb = await peakRssMb(cold, `scenario ${id} pre-receive`);
  const coord = series('pre-receive, run as receive-pack runs it, cold (COORD_HOOKS_WARM=0)', coldSamples);
  const warmSeries = series('pre-receive, run as receive-pack runs it, answered by the warm process', warmSamples);
  const floor = series(PUSH_FLOOR_LABEL, floorSamples);
  const inPush = realPush(bench, wp);
  const peer = await peerSeries(bench, peerName, wp, 'refs/heads/fw/peer', runs);
  const ratio = ratioOf(coord, floor);
  const warmRatio = ratioOf(warmSeries, floor);
  const peerNote = peer ? undefined : bench.peerNote ?? undefined;
  return [{
    id, scenario: `${scenario}, cold`, runs, coord, floor, ratio, peer, rssMb, peerNote,
    targets: [ratioTarget(ratio, 1.5), peerTarget(coord, peer), rssTarget(rssMb)],
    notes: [`${push.objects.toLocaleString('en')} objects pushed`, pipedNote(coord, pipedSamples),
      `real push (trace2, warm process running): pre-receive ${ms(inPush['pre-receive'])}, post-receive ${ms(inPush['post-receive'] ?? NaN)}`],
  }, {
    id: `${id}w`, scenario: `${scenario}, warm`, runs, coord: warmSeries, floor, ratio: warmRatio, peer, rssMb: null, peerNote,
    targets: [ratioTarget(warmRatio, 2), peerTarget(warmSeries, peer)],
    notes: [`the same push answered by the warm process (docs/warm.md); ${pipedNote(warmSeries, pipedSamples)}; peak RSS is the cold row's (the warm process is not the hook's child)`],
  }];
}

export async function scenario1(bench: Bench): Promise<Row[]> {
  const wp = await bench.rewritePush();
  const count = bench.sizes.big.fw.toLocaleString('en');
  return preReceiveRows(bench, '1', `pre-receive: new branch, 1 commit rewriting ${count} files`, wp, bench.runs('heavy'), 'big');
}

export async function scenario2(bench: Bench): Promise<Row[]> {
  const rows: Row[] = [];
  const { commits, files } = bench.sizes.bulk;
  rows.push(...await preReceiveRows(bench, '2', `pre-receive: new branch, ${commits.toLocaleString('en')} commits × ${files} files`, await bench.bulkPush(), bench.runs('heavy'), 'bulk'));
  if (bench.options.huge) {
    const huge = bench.sizes.huge;
    rows.push(...await preReceiveRows(bench, '2h', `pre-receive: new branch, ${huge.commits.toLocaleString('en')} commits × ${huge.files} files`, await bench.bulkPush(true), bench.runs('huge'), 'bulk'));
  }
  return rows;
}

export async function scenario3(bench: Bench): Promise<Row[]> {
  const wp = await bench.typicalPush();
  const { world } = wp;
  const runs = bench.runs('light');
  const post = postReceiveSpec(world, wp);
  const floorSpec = pushFloorSpec(world, wp);
  /** pre-receive then post-receive, as one push runs them; the split kept per run. */
  const pair = (pre: RunSpec, label: string) => {
    const split = { pre: [] as number[], post: [] as number[] };
    const run = async () => {
      const a = await timeOnce(pre, `scenario ${label} pre-receive`);
      const b = await timeOnce(post, `scenario ${label} post-receive`);
      split.pre.push(a);
      split.post.push(b);
      return a + b;
    };
    return { split, run };
  };
  const cold = pair(preReceiveSpec(world, wp, COLD), '3');
  const warm = pair(preReceiveSpec(world, wp), '3w');
  await world.warm.start(() => timeOnce(preReceiveSpec(world, wp), 'scenario 3w pre-receive (starting the warm process)'));
  const [coldSamples, warmSamples, floorSamples] = await interleaved(runs, [cold.run, warm.run, () => timeOnce(floorSpec, 'scenario 3 floor')]);
  for (const split of [cold.split, warm.split]) { split.pre.splice(0, 1); split.post.splice(0, 1); } // the warm-up
  const rss = [await peakRssMb(preReceiveSpec(world, wp, COLD), 'scenario 3 pre-receive'), await peakRssMb(post, 'scenario 3 post-receive')];
  const rssMb = rss.includes(null) ? null : Math.max(...(rss as number[]));
  const coord = series('pre-receive + post-receive, run as receive-pack runs them, cold (COORD_HOOKS_WARM=0)', coldSamples);
  const warmSeries = series('pre-receive (answered by the warm process) + post-receive, run as receive-pack runs them', warmSamples);
  const floor = series(PUSH_FLOOR_LABEL, floorSamples);
  const inPush = realPush(bench, wp);
  const peer = await peerSeries(bench, 'big', wp, 'refs/heads/fw/feature', runs);
  const { commits, files } = bench.sizes.typical;
  const total = Object.values(bench.sizes.big).reduce((sum, count) => sum + count, 0);
  const name = `push of ${commits} commits, ${files} files, ${total.toLocaleString('en')}-file repo (all hooks)`;
  const peerNote = peer ? undefined : bench.peerNote ?? undefined;
  const split = (which: typeof cold.split) => `pre-receive ${ms(series('', which.pre).median)} + post-receive ${ms(series('', which.post).median)} (medians)`;
  const peerRatio = (coordSeries: Series) => (peer ? `; ${(coordSeries.median / peer.median).toFixed(2)}× gitolite's update hook` : '');
  return [{
    id: '3', scenario: `${name}, cold`, runs, coord, floor, ratio: ratioOf(coord, floor), peer, peerNote, rssMb,
    targets: [absoluteTarget(coord.median, 150, true), peerTarget(coord, peer), rssTarget(rssMb)],
    notes: [split(cold.split) + peerRatio(coord),
      `real push (trace2, warm process running): pre-receive ${ms(inPush['pre-receive'])}, post-receive ${ms(inPush['post-receive'] ?? NaN)}`],
  }, {
    id: '3w', scenario: `${name}, warm`, runs, coord: warmSeries, floor, ratio: ratioOf(warmSeries, floor), peer, peerNote, rssMb: null,
    targets: [absoluteTarget(warmSeries.median, 150, true), peerTarget(warmSeries, peer)],
    notes: [split(warm.split) + peerRatio(warmSeries) + ' (issue 15: ≤ 1.0×, i.e. <gitolite)'],
  }];
}

export async function scenario4(bench: Bench): Promise<Row[]> {
  const world = await bench.clientWorld();
  const clone = world.clone;
  const runs = bench.runs('light');
  const count = bench.sizes.client.commitFiles;
  const sourceFiles = bench.sizes.client.files - 2 * Math.floor(bench.sizes.client.files / 3);
  const stride = Math.max(1, Math.floor(sourceFiles / count));
  const paths = Array.from({ length: count }, (_, index) => spreadPath('fw/src', index * stride));
  const trace = join(world.setup.root, 'trace2-commit.json');
  let edit = 0;
  const stage = () => {
    edit += 1;
    for (const path of paths) clone.write(path, `edit ${edit} of ${path}\n`);
    clone.git(['add', '--', ...paths]);
  };
  const commit = (extra: NodeJS.ProcessEnv) => async () => {
    stage();
    rmSync(trace, { force: true });
    gitSync(['commit', '-q', '-m', `edit ${edit}`], { cwd: clone.dir, env: { ...clone.env, ...extra, GIT_TRACE2_EVENT: trace } });
    const timings = hookTimings([trace]).filter((timing) => timing.hook === 'pre-commit');
    if (timings.length !== 1 || timings[0].code !== 0) throw new HarnessError(`scenario 4: expected one successful pre-commit in the trace2 events, got ${JSON.stringify(timings)}`);
    return timings[0].ms;
  };
  const floorSpec = nodeFloor(clone.env, clone.dir);
  await world.warm.start(commit({}));
  const [coordSamples, warmSamples, floorSamples] = await interleaved(runs, [commit(COLD), commit({}), () => timeOnce(floorSpec, 'scenario 4 floor')]);
  // Peak RSS: the installed script run directly on staged changes, with the environment git commit gives hooks.
  stage();
  const exec = gitExecPath();
  const rssMb = await peakRssMb({
    command: join(world.hooksDir, 'pre-commit'), args: [], cwd: clone.dir,
    env: { ...clone.env, ...COLD, GIT_INDEX_FILE: '.git/index', GIT_EDITOR: ':', GIT_PREFIX: '', GIT_EXEC_PATH: exec, PATH: `${exec}:${clone.env.PATH ?? ''}` },
  }, 'scenario 4 pre-commit');
  clone.git(['commit', '-q', '--no-verify', '-m', 'rss run']);
  const coord = series('pre-commit hook as `git commit` ran it (trace2 child_exit t_rel), cold (COORD_HOOKS_WARM=0)', coordSamples);
  const warm = series('the same, answered by the warm process', warmSamples);
  const floor = series('`node -e 0`', floorSamples);
  const ratio = ratioOf(coord, floor);
  const warmRatio = ratioOf(warm, floor);
  return [{
    id: '4', scenario: `pre-commit: ${count}-file commit (real git commit), cold`, runs, coord, floor, ratio, peer: null, rssMb,
    targets: [ratioTarget(ratio, 1.5), rssTarget(rssMb)], notes: [],
  }, {
    id: '4w', scenario: `pre-commit: ${count}-file commit (real git commit), warm`, runs, coord: warm, floor, ratio: warmRatio, peer: null, rssMb: null,
    targets: [ratioTarget(warmRatio, 0.3)], notes: ['the hook alone as git timed it; the whole commit against husky-style hooks is scenario 12w'],
  }];
}

export async function scenario5(bench: Bench): Promise<Row[]> {
  const world = await bench.clientWorld();
  const clone = world.clone;
  const runs = bench.runs('light');
  const input = preToolUse(clone.dir, 'Write', { file_path: join(clone.dir, 'fw', 'src', 'guarded.ts'), content: 'export const guarded = true;\n' });
  const guard: RunSpec = { command: process.execPath, args: [CLI, 'hook', 'claude-guard'], env: clone.env, cwd: clone.dir, input };
  const floorSpec = nodeFloor(clone.env, clone.dir);
  const [coordSamples, floorSamples] = await interleaved(runs, [() => timeOnce(guard, 'scenario 5 guard'), () => timeOnce(floorSpec, 'scenario 5 floor')]);
  const rssMb = await peakRssMb(guard, 'scenario 5 guard');
  const coord = series('`node dist/cli/main.js hook claude-guard`, a Write inside the scope on stdin', coordSamples);
  const floor = series('`node -e 0`', floorSamples);
  const ratio = ratioOf(coord, floor);
  return [{
    id: '5', scenario: 'PreToolUse guard: one Write call', runs, coord, floor, ratio, peer: null, rssMb,
    targets: [ratioTarget(ratio, 1.3), rssTarget(rssMb)], notes: [],
  }];
}

/**
 * `cmd args… > /dev/null` through `sh -c 'exec …'`, for commands whose output is megabytes: the time
 * is then the command's, not the harness's reading of a pipe. (Before 92afc35 a pipe also truncated
 * it: cli/main.ts exited with output still queued, docs/performance.md.)
 */
function toDevNull(spec: RunSpec): RunSpec {
  return { ...spec, command: '/bin/sh', args: ['-c', 'exec "$0" "$@" >/dev/null', spec.command, ...spec.args] };
}

export async function scenario6(bench: Bench): Promise<Row[]> {
  const world = await bench.tallyWorld();
  const observer = world.observer;
  const tally = toDevNull({ command: process.execPath, args: [CLI, 'tally'], env: world.setup.env, cwd: observer.dir });
  const floorSpec = toDevNull({ command: 'git', args: ['for-each-ref', 'refs/tags'], env: world.setup.env, cwd: observer.dir });
  const { rounds, teams } = bench.sizes.tally;
  const label = `${rounds.toLocaleString('en')} rounds × ${teams} teams`;

  // Cold: no verdict cache, every tag is read and its signature verified (in-process): seconds at full
  // size, still one run unless --runs says otherwise; its peak RSS and CPU time come from the same run.
  const coldRuns = bench.options.runs ?? 1;
  const coldRss: number[] = [];
  const coldCpu: number[] = [];
  const cold = async () => {
    world.dropCache();
    const run = await timeWithRss(tally, 'scenario 6 cold tally');
    if (run.rssMb !== null) coldRss.push(run.rssMb);
    if (run.cpuMs !== null) coldCpu.push(run.cpuMs);
    return run.ms;
  };
  const [coldSamples, coldFloorSamples] = await interleaved(coldRuns, [cold, () => timeOnce(floorSpec, 'scenario 6 floor')], false);
  const coldRssMb = coldRss.length ? Math.max(...coldRss) : null;

  // Warm: the cache is full.
  const warmRuns = bench.runs('light');
  const [warmSamples, warmFloorSamples] = await interleaved(warmRuns, [() => timeOnce(tally, 'scenario 6 warm tally'), () => timeOnce(floorSpec, 'scenario 6 floor')]);
  const warmRss = await peakRssMb(tally, 'scenario 6 warm tally');

  // The tally must find every team done: otherwise the benchmark measured a failure path.
  const jsonFile = join(world.setup.root, 'tally.json');
  const listed = await runProcess('/bin/sh', ['-c', 'exec "$0" "$1" tally --json > "$2"', process.execPath, CLI, jsonFile], { env: world.setup.env, cwd: observer.dir });
  if (listed.code !== 0) throw new HarnessError(`scenario 6: tally --json exited ${listed.code}: ${listed.stderr.trim()}`);
  const states = (JSON.parse(readFileSync(jsonFile, 'utf8')) as { rounds: { teams: Record<string, { state: string }> }[] }).rounds.flatMap((round) => Object.values(round.teams).map((team) => team.state));
  const done = states.filter((state) => state === 'done').length;
  if (done !== world.tags) throw new HarnessError(`scenario 6: tally found ${done} of ${world.tags} done-tags valid`);

  const coldSeries = series('`coord-hooks tally > /dev/null`, verdict cache deleted before each run', coldSamples);
  const warmSeries = series('`coord-hooks tally > /dev/null`, verdict cache full', warmSamples);
  const coldFloor = series('`git for-each-ref refs/tags > /dev/null`', coldFloorSamples);
  const warmFloor = series('`git for-each-ref refs/tags > /dev/null`', warmFloorSamples);
  return [{
    id: '6c', scenario: `tally, cold: ${label} signed tags`, runs: coldRuns, coord: coldSeries, floor: coldFloor, ratio: ratioOf(coldSeries, coldFloor),
    peer: null, rssMb: coldRssMb, targets: [absoluteTarget(coldSeries.median, 10_000), rssTarget(coldRssMb)],
    notes: [`${world.tags.toLocaleString('en')} tags, all verified valid (SSH signatures in-process)`,
      ...(coldCpu.length ? [`CPU time (user + system) ${formatMs(series('', coldCpu).median)}: what the run costs whatever the load`] : [])],
  }, {
    id: '6w', scenario: `tally, warm: ${label} signed tags`, runs: warmRuns, coord: warmSeries, floor: warmFloor, ratio: ratioOf(warmSeries, warmFloor),
    peer: null, rssMb: warmRss, targets: [absoluteTarget(warmSeries.median, 500), rssTarget(warmRss)], notes: [],
  }];
}

export async function scenario7(bench: Bench): Promise<Row[]> {
  const wp = await bench.bulkPush();
  const { world } = wp;
  const ci = join(world.setup.root, 'ci');
  gitSync(['clone', '-q', '--branch', 'fw/bulk', world.client.dir, ci], { cwd: world.setup.root, env: world.env });
  const runs = bench.runs('heavy');
  const check: RunSpec = { command: process.execPath, args: [CLI, 'check'], env: world.env, cwd: ci };
  const enumerate = 'git rev-list HEAD --not refs/remotes/origin/main | git diff-tree --stdin -r -z --no-renames --root -m';
  const floorSpec: RunSpec = { command: '/bin/sh', args: ['-c', `${enumerate} >/dev/null`], env: world.env, cwd: ci };
  const pipedSpec: RunSpec = { command: '/bin/sh', args: ['-c', `${enumerate} | cat >/dev/null`], env: world.env, cwd: ci };
  const [coordSamples, floorSamples, pipedSamples] = await interleaved(runs, [
    () => timeOnce(check, 'scenario 7 check'), () => timeOnce(floorSpec, 'scenario 7 floor'), () => timeOnce(pipedSpec, 'scenario 7 piped floor'),
  ]);
  const rssMb = await peakRssMb(check, 'scenario 7 check');
  const coord = series('`coord-hooks check` in a CI clone on fw/bulk (HEAD not on origin/main)', coordSamples);
  const floor = series('`git rev-list HEAD --not origin/main | git diff-tree --stdin -r -z --no-renames --root -m` in the clone', floorSamples);
  const ratio = ratioOf(coord, floor);
  const { commits, files } = bench.sizes.bulk;
  return [{
    id: '7', scenario: `check (CI): ${commits.toLocaleString('en')} commits × ${files} files`, runs, coord, floor, ratio, peer: null, rssMb,
    targets: [ratioTarget(ratio, 1.5), rssTarget(rssMb)], notes: [pipedNote(coord, pipedSamples)],
  }];
}

export const SCENARIOS: Record<number, (bench: Bench) => Promise<Row[]>> = {
  1: scenario1, 2: scenario2, 3: scenario3, 4: scenario4, 5: scenario5, 6: scenario6, 7: scenario7,
  // Whole git operations against the same without coord-hooks (bench/scenarios-e2e.ts).
  11: scenario11, 12: scenario12,
  10: scenario10, // the warm gate process: bench/warm-scenarios.ts
};
