/**
 * Scenario 8: `coord-hooks demo`, the README's first command, as a person runs it (the compiled CLI,
 * output to a pipe), against a floor measured in the same run, interleaved: one plain git round trip
 * without hooks (init a bare repository, clone it, commit, push). The ratio says how many such round
 * trips the whole narrated story costs, and holds on a loaded machine where the wall time does not.
 * Reported, not judged: no time budget is set for the demo.
 */
import { packageInfo } from '../core/package-info';
import { tempDir } from '../fixtures/repo';
import type { Bench } from './context';
import { CLI } from './context';
import { interleaved, peakRssMb, timeOnce, type RunSpec } from './measure';
import { rssTarget, series, type Row } from './report';

const ROUND_TRIP = [
  'set -e; d=$(mktemp -d); git init -q --bare "$d/server.git"; git clone -q "$d/server.git" "$d/clone" 2>/dev/null',
  'cd "$d/clone"; echo x > f; git add f; git commit -q -m x; git push -q origin HEAD:main; rm -rf "$d"',
].join('; ');

export async function scenario8(bench: Bench): Promise<Row[]> {
  const home = tempDir('coord-hooks-bench-demo-');
  bench.dirs.push(home);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('GIT_') || name.startsWith('COORD_HOOKS')) delete env[name];
  const demo: RunSpec = { command: process.execPath, args: [CLI, 'demo'], env, cwd: packageInfo().root };
  const floorEnv = { ...env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  const floorSpec: RunSpec = { command: '/bin/sh', args: ['-c', ROUND_TRIP], env: floorEnv, cwd: home };
  // One demo run costs about 15 s of CPU: no warm-up, and the huge weight (1 run with --quick, 3 in a full run).
  const runs = bench.runs('huge');
  const [demoSamples, floorSamples] = await interleaved(runs, [() => timeOnce(demo, 'scenario 8 demo'), () => timeOnce(floorSpec, 'scenario 8 floor')], false);
  const coord = series('`node dist/cli/main.js demo`, output to a pipe', demoSamples);
  const floor = series('one git round trip without hooks: init --bare, clone, commit, push', floorSamples);
  const ratio = coord.median / floor.median;
  const rssMb = bench.options.quick ? null : await peakRssMb(demo, 'scenario 8 demo');
  return [{
    id: '8', scenario: 'coord-hooks demo (README): the whole narrated round', runs, coord, floor, ratio, peer: null, rssMb,
    targets: [rssTarget(rssMb)], notes: ['reported, not judged: the demo has no time budget (README gives its cost)'],
  }];
}
