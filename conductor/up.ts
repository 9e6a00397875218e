/**
 * `coord-hooks up`: the conductor. In the architect's clone it sets up one workspace per team
 * (conductor/workspace.ts), gets the teams' keys onto the protected branch (conductor/signers.ts),
 * then polls the server: each new announcement is handed once to its team's agent (headless: one
 * run per announcement; interactive: a line typed into the team's tmux window), each run's end is
 * judged (done-tag, reply, neither, killed), and when a round is complete the architect's command
 * runs, once (recorded before it starts). A live board on a terminal, plain lines otherwise. Stops
 * cleanly on the abort signal (Ctrl-C, `coord-hooks down`), leaving every unfinished run resumable.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { CoordError, errorMessage, EXIT_VERDICT } from '../core/errors';
import type { CommandIO } from '../core/io';
import { runProcess, type StartedProcess } from '../core/process';
import { GitRepo } from '../git/repo';
import { locatePolicy, remoteName } from '../policy/locate';
import { gitFailure } from '../rounds/context';
import { fetchRoundRefs, tallyRounds } from '../rounds/tally';
import { wantsFancy } from '../report/terminal';
import { agentEnv, checkoutRoundBranch, DEFAULT_HEADLESS_AGENT, DEFAULT_INTERACTIVE_AGENT, roundVars, startHeadless, tellInteractive, TmuxAgents, writeCliShim } from './agents';
import { renderBoard } from './board';
import { answer, fetchMoved, readAnnouncement, snapshot, writeReplies, type RemoteSnapshot } from './remote';
import { addSigners, missingSigners } from './signers';
import { deliveryKey, isAlive, lastRun, readState, runningConductor, statePaths, writeState, type AgentRun, type Delivery, type Mode, type StatePaths, type UpState } from './state';
import { defaultWorkspaces, prepareWorkspace, serverUrl, type Workspace } from './workspace';

export interface UpOptions {
  teams?: string[];
  agent?: string;
  mode: Mode;
  workspaces?: string;
  onRoundComplete?: string;
  yes: boolean;
  intervalMs: number;
  /** Stop once this round is complete and its architect command has run. */
  untilRound?: number;
  remote?: string;
  signal: AbortSignal;
}

const now = () => new Date().toISOString();
/** How long --until-round lets runs still going end on their own. */
const GRACE_MS = 60000;

/** Reads one line of the operator's answer. */
function readLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((done) => {
    let text = '';
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n')) finish();
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.off('end', finish);
      if ('pause' in stdin) stdin.pause();
      done(text.split('\n')[0].trim());
    };
    stdin.on('data', onData);
    stdin.on('end', finish);
  });
}

/** Is this run's ending a kill (a signal, or a shell reporting one as 128+N)? */
const killed = (code: number | null, signal: string | null) => Boolean(signal) || (code !== null && code > 128 && code <= 128 + 64);

interface Ended {
  team: string;
  code: number | null;
  signal: string | null;
}

interface Active {
  delivery: Delivery;
  run: AgentRun;
  process?: StartedProcess;
}

class Conductor {
  private readonly events: string[] = [];
  private readonly active = new Map<string, Active>();
  private readonly ended: Ended[] = [];
  private readonly resume = new Set<string>();
  private snap: RemoteSnapshot | null = null;
  private tagsSeen = '';
  private firstTally = true;
  private wake: (() => void) | null = null;
  private outage = false;
  private stopping = false;
  private lastDraw = 0;
  private dirty = true;
  private tmux: TmuxAgents | null = null;

  constructor(
    private readonly io: CommandIO,
    private readonly options: UpOptions,
    private readonly state: UpState,
    private readonly paths: StatePaths,
    private readonly top: string,
    private readonly url: string,
    private readonly workspaces: Map<string, Workspace>,
    private readonly fresh: boolean,
  ) {}

  private get fancy(): boolean {
    return wantsFancy(this.io.isTTY, this.io.env);
  }

  private event(text: string): void {
    const line = `${now().slice(11, 19)} ${text}`;
    this.events.push(line);
    this.dirty = true;
    if (!this.fancy) this.io.out(`up: ${line}\n`);
  }

  private save(): void {
    writeState(this.paths, this.state);
  }

  private log(team: string): string {
    return join(this.paths.logs, `${team}.log`);
  }

  async run(): Promise<number> {
    this.options.signal.addEventListener('abort', () => this.wake?.(), { once: true });
    this.adoptLeftovers();
    if (this.state.mode === 'interactive') await this.startTmux();
    this.save();
    this.event(`conducting ${this.state.teams.join(', ')} (${this.state.mode}; agent: ${this.state.agent}); Ctrl-C or \`coord-hooks down\` stops`);
    while (!this.options.signal.aborted && !this.stopping) {
      await this.poll().catch((error: unknown) => this.event(`this poll failed, retrying: ${errorMessage(error).split('\n').slice(0, 3).join(' ')}`));
      if (this.stopping || this.options.signal.aborted) break;
      await this.draw();
      await this.sleep();
    }
    await this.stop();
    return 0;
  }

  /** Runs the previous `up` left running are stopped and handed out again; so are killed and stopped ones. */
  private adoptLeftovers(): void {
    for (const [key, delivery] of Object.entries(this.state.deliveries)) {
      if (!this.state.teams.includes(delivery.team)) continue;
      const run = lastRun(delivery);
      if (!run) {
        this.resume.add(key);
        continue;
      }
      if (run.outcome === 'running') {
        if (run.pid && isAlive(run.pid)) {
          try { process.kill(-run.pid, 'SIGTERM'); } catch { /* gone */ }
        }
        run.outcome = 'stopped';
        run.ended = now();
      }
      if (run.outcome === 'stopped' || run.outcome === 'killed') this.resume.add(key);
    }
  }

  private async startTmux(): Promise<void> {
    this.tmux = new TmuxAgents(this.state.tmuxSession!, 'coord', this.io.env);
    await this.tmux.stop();
    await this.tmux.start(this.state.teams.map((team) => ({
      team, dir: this.workspaces.get(team)!.dir, agent: this.state.agent,
      vars: { TEAM: team, COORD_HOOKS_TEAM: team, PATH: `${this.paths.bin}:${this.io.env.PATH ?? ''}` },
    })));
    this.event(`tmux: one window per team; watch them with: tmux -L ${this.state.tmuxSession} attach`);
  }

  private sleep(): Promise<void> {
    if (this.ended.length || this.options.signal.aborted) return Promise.resolve();
    return new Promise((done) => {
      const timer = setTimeout(() => { this.wake = null; done(); }, this.options.intervalMs);
      this.wake = () => { clearTimeout(timer); this.wake = null; done(); };
    });
  }

  private async poll(): Promise<void> {
    // Runs that ended before the snapshot: what they pushed is in it. Kept for the next poll if this one fails.
    const ended = this.ended.splice(0);
    const repo = new GitRepo(this.top, this.io.env);
    try {
      await this.pollWith(repo, ended);
    } catch (error) {
      this.ended.unshift(...ended);
      throw error;
    } finally {
      repo.close();
    }
  }

  private async pollWith(repo: GitRepo, ended: Ended[]): Promise<void> {
    let snap: RemoteSnapshot;
    try {
      snap = await snapshot(repo, this.state.remote, this.state.teams);
      if (this.outage) this.event('the server is reachable again');
      this.outage = false;
    } catch (error) {
      if (!this.outage) this.event(`the server is unreachable (${gitFailure(error)}); retrying`);
      this.outage = true;
      this.ended.unshift(...ended);
      return;
    }
    // A fetch that failed leaves the snapshot unrecorded: the branches are fetched again next time.
    await fetchMoved(repo, this.state.remote, snap, this.snap);
    await this.findAnnouncements(repo, snap, this.snap);
    this.snap = snap;
    await this.finishRuns(repo, snap, ended);
    await this.startRuns(repo, snap);
    const tags = [...snap.tags].map(([ref, oid]) => `${ref} ${oid}`).sort().join('\n');
    if (tags !== this.tagsSeen) {
      await this.completions(repo);
      this.tagsSeen = tags;
    }
    this.save();
  }

  private async findAnnouncements(repo: GitRepo, snap: RemoteSnapshot, previous: RemoteSnapshot | null): Promise<void> {
    const moved = [...snap.branches.keys()].filter((branch) => previous?.branches.get(branch) !== snap.branches.get(branch));
    moved.sort((a, b) => Number(a.slice(a.lastIndexOf('-') + 1)) - Number(b.slice(b.lastIndexOf('-') + 1)) || a.localeCompare(b));
    for (const branch of moved) {
      const found = await readAnnouncement(repo, this.state.remote, branch);
      if (!found) continue;
      const key = deliveryKey(branch, found.commit);
      if (this.state.deliveries[key]) continue;
      if (await answer(repo, this.state.remote, snap, found)) continue;
      const prompt = join(this.paths.prompts, `${branch.replace(/\//g, '__')}.${found.commit.slice(0, 10)}.md`);
      writeFileSync(prompt, found.text);
      this.state.deliveries[key] = { team: found.team, round: found.round, branch, commit: found.commit, prompt, runs: [] };
      this.event(`${found.team}: round ${found.round} announced (${branch} ${found.commit.slice(0, 10)})`);
    }
  }

  /** Runs that ended since the last poll (headless) or whose team answered or whose pane died (interactive). */
  private async finishRuns(repo: GitRepo, snap: RemoteSnapshot, ended: Ended[]): Promise<void> {
    for (const { team, code, signal } of ended) {
      const active = this.active.get(team);
      if (!active) continue;
      this.active.delete(team);
      const { run, delivery } = active;
      Object.assign(run, { ended: now(), code, signal, pid: undefined });
      if (this.stopping) {
        run.outcome = 'stopped';
        continue;
      }
      const answered = await answer(repo, this.state.remote, snap, delivery);
      run.outcome = answered ?? (killed(code, signal) ? 'killed' : 'no-answer');
      this.event(`${team}: round ${delivery.round}: the agent ${killed(code, signal) ? `was killed (${signal ?? `exit ${code}`})` : `exited ${code}`}: ${
        answered === 'done' ? 'done-tag pushed' : answered === 'replied' ? 'replied, no done-tag' : killed(code, signal) ? 'the round stays open; coord-hooks up again resumes it' : `no reply and no done-tag (not retried; log: ${this.log(team)})`}`);
    }
    if (!this.tmux) return;
    const panes = await this.tmux.panes();
    for (const [team, active] of [...this.active]) {
      const answered = await answer(repo, this.state.remote, snap, active.delivery);
      const pane = panes.get(team);
      if (!answered && pane && !pane.dead) continue;
      this.active.delete(team);
      active.run.ended = now();
      active.run.outcome = answered ?? 'killed';
      active.run.code = pane?.status ?? null;
      this.event(`${team}: round ${active.delivery.round}: ${answered === 'done' ? 'done-tag pushed' : answered === 'replied' ? 'replied' : `the session ended (exit ${pane?.status ?? '?'})`}`);
    }
  }

  /** Hands each idle team its oldest waiting announcement; the teams start side by side. */
  private async startRuns(repo: GitRepo, snap: RemoteSnapshot): Promise<void> {
    const waiting = Object.entries(this.state.deliveries)
      .filter(([key, delivery]) => this.state.teams.includes(delivery.team) && (delivery.runs.length === 0 || this.resume.has(key)))
      .sort(([, a], [, b]) => a.round - b.round);
    const next = new Map<string, [string, Delivery]>();
    for (const [key, delivery] of waiting) {
      if (this.active.has(delivery.team) || next.has(delivery.team)) continue;
      this.resume.delete(key);
      if (delivery.runs.length > 0 && (await answer(repo, this.state.remote, snap, delivery))) continue;
      next.set(delivery.team, [key, delivery]);
    }
    await Promise.all([...next.values()].map(([, delivery]) => this.startRun(delivery)));
  }

  private async startRun(delivery: Delivery): Promise<void> {
    const run: AgentRun = { started: now(), outcome: 'running' };
    delivery.runs.push(run);
    const workspace = this.workspaces.get(delivery.team)!;
    const again = delivery.runs.length > 1 ? ' (resumed)' : '';
    if (this.tmux) {
      await tellInteractive(this.tmux, delivery, workspace.dir, this.io.env);
      run.pid = (await this.tmux.panes()).get(delivery.team)?.pid;
      this.active.set(delivery.team, { delivery, run });
      this.event(`${delivery.team}: round ${delivery.round} handed to its session${again}`);
      return;
    }
    try {
      await checkoutRoundBranch(workspace.dir, delivery.branch, this.io.env);
    } catch (error) {
      Object.assign(run, { outcome: 'failed', ended: now(), detail: (error as Error).message });
      this.event(`${delivery.team}: round ${delivery.round}: cannot start the agent: ${run.detail}`);
      return;
    }
    const env = agentEnv(this.io.env, this.paths.bin, roundVars(delivery, delivery.prompt));
    const started = startHeadless({ agent: this.state.agent, dir: workspace.dir, env, log: this.log(delivery.team), delivery });
    run.pid = started.pid;
    this.active.set(delivery.team, { delivery, run, process: started });
    void started.exited.then(({ code, signal }) => {
      this.ended.push({ team: delivery.team, code, signal });
      this.wake?.();
    });
    this.event(`${delivery.team}: round ${delivery.round}: agent started${again} (pid ${started.pid}; log ${this.log(delivery.team)})`);
  }

  /** Rounds that became complete: the architect's command, once each. */
  private async completions(repo: GitRepo): Promise<void> {
    await fetchRoundRefs(repo, this.state.remote);
    const tally = await tallyRounds(repo, { env: this.io.env });
    const first = this.firstTally;
    this.firstTally = false;
    for (const round of tally.rounds) {
      if (!round.complete || this.state.completed[round.round]) continue;
      if (first && this.fresh) {
        // Complete before this conductor ever ran: not its round to report.
        this.state.completed[round.round] = { time: now(), teams: round.expected, code: null };
        continue;
      }
      this.state.completed[round.round] = { time: now(), teams: round.expected };
      this.save();
      this.event(`round ${round.round} complete (${round.expected.join(', ')})${this.options.onRoundComplete ? ': running the architect\'s command' : ''}`);
      if (this.options.onRoundComplete) {
        const replies = join(this.paths.prompts, `round-${round.round}.replies.md`);
        await writeReplies(repo, this.state.remote, round.round, round.expected, replies);
        const env = { ...this.io.env, ROUND: String(round.round), TEAMS: round.expected.join(' '), REPLIES: replies, PATH: `${this.paths.bin}:${this.io.env.PATH ?? ''}` };
        const result = await runProcess('/bin/sh', ['-c', this.options.onRoundComplete], { env, cwd: this.top });
        appendFileSync(this.log('architect'), `\n== ${now()} round ${round.round} complete: ${this.options.onRoundComplete}\n${result.stdout}${result.stderr}`);
        this.state.completed[round.round].code = result.code;
        this.save();
        this.event(`round ${round.round}: the architect's command exited ${result.code}${result.code ? ` (log: ${this.log('architect')})` : ''}`);
      }
    }
    if (this.options.untilRound !== undefined && this.state.completed[this.options.untilRound]) {
      this.event(`round ${this.options.untilRound} is complete: stopping (--until-round)`);
      this.stopping = true;
    }
  }

  private async draw(force = false): Promise<void> {
    if (!this.fancy || (!this.dirty && !force) || (!force && Date.now() - this.lastDraw < 1000)) return;
    this.dirty = false;
    this.lastDraw = Date.now();
    const repo = new GitRepo(this.top, this.io.env);
    try {
      const board = await renderBoard(repo, { state: this.state, logs: this.paths.logs, serverUrl: this.url, fetch: false, fancy: true, env: this.io.env });
      this.io.out(`\u001b[H\u001b[2J${board}\nevents:\n${this.events.slice(-8).map((line) => `  ${line}`).join('\n')}\n`);
    } catch (error) {
      this.io.out(`up: cannot draw the board: ${(error as Error).message}\n`);
    } finally {
      repo.close();
    }
  }

  private async stop(): Promise<void> {
    const graceful = this.stopping && !this.options.signal.aborted;
    this.stopping = true;
    if (graceful && this.active.size) {
      // --until-round: the runs still going (a team that signalled and is finishing up) may end on their own.
      this.event(`waiting up to ${GRACE_MS / 1000} s for ${[...this.active.keys()].join(', ')} to finish`);
      await Promise.race([Promise.all([...this.active.values()].map((active) => active.process?.exited)), new Promise((done) => setTimeout(done, GRACE_MS))]);
    }
    for (const active of this.active.values()) await active.process?.stop(5000);
    const repo = new GitRepo(this.top, this.io.env);
    try {
      const snap = this.active.size ? await snapshot(repo, this.state.remote, this.state.teams).catch(() => null) : null;
      if (snap) await fetchMoved(repo, this.state.remote, snap, this.snap);
      for (const [team, active] of [...this.active]) {
        const answered = snap ? await answer(repo, this.state.remote, snap, active.delivery).catch(() => null) : null;
        Object.assign(active.run, { outcome: answered ?? 'stopped', ended: now(), pid: undefined });
        this.active.delete(team);
      }
    } finally {
      repo.close();
    }
    await this.tmux?.stop();
    this.state.stopped = now();
    this.save();
    this.event('stopped; unfinished runs resume with the next coord-hooks up');
    await this.draw(true);
  }
}

export async function up(options: UpOptions, io: CommandIO): Promise<number> {
  const architect = new GitRepo(io.cwd, io.env);
  try {
    const [top, gitDir] = [await architect.topLevel(), await architect.commonDir()];
    const paths = statePaths(gitDir);
    const previous = readState(paths);
    const running = runningConductor(previous);
    if (running) {
      throw new CoordError(`coord-hooks up is already running here (pid ${running.pid}, since ${running.started}; teams ${running.teams.join(', ')}; workspaces ${running.workspaces})`, {
        exitCode: EXIT_VERDICT, hint: 'see it with `coord-hooks up --status`; stop it with `coord-hooks down`',
      });
    }
    const remote = options.remote ?? previous?.remote ?? (await remoteName(architect));
    await architect.run(['fetch', '-q', remote]).catch((error) => { throw new CoordError(`cannot fetch from ${remote}: ${gitFailure(error)}`, { hint: 'run up in the architect\'s clone of the server repository' }); });
    const { policy } = await locatePolicy(architect);
    const known = policy.teams.map((team) => team.name);
    const teams = options.teams ?? known;
    for (const team of teams) if (!known.includes(team)) throw new CoordError(`no team "${team}" in the policy`, { hint: `teams are: ${known.join(', ')}` });
    if (teams.length === 0) throw new CoordError('the policy has no teams to conduct', { hint: 'add a CLAUDE.md with a scope per team (docs/policy.md)' });
    const agent = options.agent ?? policy.coord.agent ?? (options.mode === 'interactive' ? DEFAULT_INTERACTIVE_AGENT : DEFAULT_HEADLESS_AGENT);
    if (options.mode === 'interactive') {
      const tmux = await runProcess('tmux', ['-V'], { env: io.env, timeoutMs: 10000 }).catch(() => null);
      if (!tmux || tmux.code !== 0) throw new CoordError('interactive mode needs tmux, which is not on PATH', { hint: 'install it (apt-get install tmux), or run headless (the default)' });
    }
    const url = await serverUrl(architect, remote, top);
    const root = resolve(io.cwd, options.workspaces ?? previous?.workspaces ?? defaultWorkspaces(top));
    io.out(`up: team workspaces in ${root}\n`);
    const prepared = await Promise.all(teams.map((team) => prepareWorkspace({ root, team, url, env: io.env, interactive: options.mode === 'interactive' })));
    for (const workspace of prepared) io.out(`up: ${workspace.team}: ${workspace.created ? 'cloned' : 'kept'} ${workspace.dir} (hooks, Claude Code guard and sandbox, signing key)\n`);

    const missing = await missingSigners(architect, remote, prepared);
    if (missing.lines.length) {
      io.out(`up: the protected branch does not list these team keys yet; one commit signed by you adds them to ${missing.file}:\n${missing.lines.map((line) => `  ${line}`).join('\n')}\n`);
      if (!options.yes) {
        if (!io.isTTY) throw new CoordError('the team keys need the architect\'s confirmation', { exitCode: 2, hint: 'run again with --yes to add them, or add the lines above yourself and run up again' });
        io.out('add them and push? [y/N] ');
        if (!/^y(es)?$/i.test(await readLine(io.stdin))) throw new CoordError('not confirmed: nothing was added, no agent was started', { exitCode: 2, hint: 'add the lines yourself, or run up --yes' });
      }
      const commit = await addSigners(architect, remote, missing);
      io.out(`up: added ${missing.lines.length} key(s) in ${commit.slice(0, 10)} on the protected branch (git pull to have it locally)\n`);
    }

    for (const dir of [paths.logs, paths.prompts]) mkdirSync(dir, { recursive: true });
    writeCliShim(paths.bin);
    const state: UpState = {
      pid: process.pid, started: now(), mode: options.mode, teams, workspaces: root, remote, agent,
      tmuxSession: options.mode === 'interactive' ? `coord-hooks-${process.pid}` : undefined,
      deliveries: previous?.deliveries ?? {}, completed: previous?.completed ?? {},
    };
    const conductor = new Conductor(io, options, state, paths, top, url, new Map(prepared.map((workspace) => [workspace.team, workspace])), previous === null);
    return await conductor.run();
  } finally {
    architect.close();
  }
}
