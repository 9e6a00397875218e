/**
 * The state of every round: which expected teams have a valid signed done-tag, which are pending, and
 * which tags do not verify. One `for-each-ref` lists the round tags with their targets and times; tag
 * objects are read (through the one cat-file batch) and verified only when the cache has no verdict,
 * so a warm tally costs a fixed handful of git processes however many tags there are.
 */
import type { GitRepo } from '../git/repo';
import { VerifyCache, verifyTags, type CachedVerdict, type TagToVerify, type VerifyStats } from './cache';
import { CoordError } from '../core/errors';
import { checkRemote, gitFailure, loadRoundContext, protectedFetchTarget, type RoundContext } from './context';
import { expectFromTagObject, teamsFromExpect } from './expected';
import { doneTagName, parseDoneTagRef, parseStartTagRef } from '../policy/round-names';

export type TeamStateName = 'done' | 'pending' | 'invalid';

export interface TeamState {
  state: TeamStateName;
  /** done: principal and key that verified. */
  signer?: string;
  /** done/invalid: tagger time, ISO 8601 UTC. */
  time?: string;
  /** done/invalid: the commit the tag points at. */
  target?: string;
  /** done/invalid: the tag object id. */
  tag?: string;
  /** invalid: why; pending: a note (e.g. not a team of the policy). */
  detail?: string;
}

export interface RoundTally {
  round: number;
  /** Every expected team is done. */
  complete: boolean;
  expected: string[];
  teams: Record<string, TeamState>;
  /** Done-tags of teams the round does not expect. */
  extra: Record<string, TeamState>;
}

export interface TallyResult {
  rounds: RoundTally[];
  /** Where policy and keys came from. */
  source: string;
  stats: VerifyStats;
}

export interface TallyOptions {
  round?: number;
  /** Fetch round tags and the protected branch from this remote first. */
  remote?: string;
  env: NodeJS.ProcessEnv;
}

interface RoundRef {
  /** What the ref points at: a tag object, or a commit for a lightweight tag. */
  oid: string;
  round: number;
  /** Team name, or null for the round's start tag. */
  team: string | null;
}


/**
 * One for-each-ref over the round tags, names and ids only: asking for the type, target or tagger date
 * would make git read every tag object, which is what the cache (holding all three) saves.
 */
export async function listRoundRefs(repo: GitRepo, round?: number): Promise<RoundRef[]> {
  // for-each-ref patterns do not let `*` cross `/`: one pattern per shape.
  const patterns = round === undefined ? ['refs/tags/round-*/done/*', 'refs/tags/round-*/start'] : [`refs/tags/round-${round}/`];
  const { stdout } = await repo.run(['for-each-ref', '--format=%(objectname) %(refname)', '--', ...patterns]);
  const out: RoundRef[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const [oid, name] = line.split(' ');
    const done = parseDoneTagRef(name);
    const start = done ? null : parseStartTagRef(name);
    if (done) out.push({ oid, round: done.round, team: done.team });
    else if (start !== null) out.push({ oid, round: start, team: null });
  }
  return out;
}

/** `git fetch` of the round tags and the protected branch from `remote`, in one call; returns the protected ref. */
export async function fetchRoundRefs(repo: GitRepo, remote: string, tagPattern = 'refs/tags/round-*'): Promise<string> {
  const { named } = await checkRemote(repo, remote);
  const target = await protectedFetchTarget(repo, remote, named);
  try {
    await repo.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote,
      `+${tagPattern}:${tagPattern}`, `+refs/heads/${target.branch}:${target.ref}`]);
  } catch (error) {
    throw new CoordError(`cannot fetch the round tags and ${target.branch} from ${remote}: ${gitFailure(error)}`, {
      hint: 'check that the remote is reachable; without --remote, tally uses what this clone already has',
    });
  }
  return target.ref;
}

const isoCache = new Map<number, string>();
/** Seconds since the epoch as ISO 8601 UTC (tags made together share a time: memoized). */
function iso(seconds: number): string | undefined {
  if (!(seconds > 0)) return undefined;
  let text = isoCache.get(seconds);
  if (text === undefined) isoCache.set(seconds, text = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'));
  return text;
}

/** A team's state from its tag's verdict. */
export function teamState(oid: string, verdict: CachedVerdict): TeamState {
  const time = iso(verdict.time);
  if (verdict.ok) return { state: 'done', signer: verdict.signer, time, target: verdict.target, tag: oid };
  return { state: 'invalid', detail: verdict.detail, time, target: verdict.target, tag: oid };
}

/** Expected teams of each round with a start tag (cached by tag oid: start tags never change either). */
async function startLists(repo: GitRepo, starts: RoundRef[], cache: VerifyCache): Promise<Map<number, string[] | null>> {
  const out = new Map<number, string[] | null>();
  await Promise.all(starts.map(async (ref) => {
    let expect = cache.getStart(ref.oid);
    if (expect === undefined) {
      const object = await repo.objects().read(ref.oid);
      expect = object?.type === 'tag' ? expectFromTagObject(object.content) : null;
      if (object) cache.setStart(ref.oid, expect);
    }
    out.set(ref.round, expect);
  }));
  return out;
}

export async function tallyRounds(repo: GitRepo, options: TallyOptions, context?: RoundContext): Promise<TallyResult> {
  const protectedRef = options.remote ? await fetchRoundRefs(repo, options.remote) : undefined;
  // Policy and keys, the ref list and the cache file are independent: read them side by side.
  const [ctx, refs, cache] = await Promise.all([
    context ?? loadRoundContext(repo, protectedRef), listRoundRefs(repo, options.round), VerifyCache.open(repo),
  ]);
  const doneRefs = refs.filter((ref) => ref.team !== null);
  const stats: VerifyStats = { cached: 0, verified: 0 };
  const toVerify: TagToVerify[] = doneRefs.map((ref) => ({ oid: ref.oid, round: ref.round, team: ref.team! }));
  const [verdicts, starts] = await Promise.all([
    verifyTags(repo, toVerify, ctx.signers, cache, options.env, stats),
    startLists(repo, refs.filter((ref) => ref.team === null), cache),
  ]);
  await cache.save(ctx.signers.key);

  const byRound = new Map<number, RoundRef[]>();
  for (const ref of doneRefs) {
    const list = byRound.get(ref.round);
    if (list) list.push(ref);
    else byRound.set(ref.round, [ref]);
  }
  const roundNumbers = new Set<number>([...byRound.keys(), ...starts.keys()]);
  if (options.round !== undefined) roundNumbers.add(options.round);
  const policyTeams = new Set(ctx.policy.teams.map((team) => team.name));

  const rounds = [...roundNumbers].sort((a, b) => a - b).map((round): RoundTally => {
    const expected = teamsFromExpect(ctx.policy, starts.get(round) ?? null);
    const teams: Record<string, TeamState> = {};
    const extra: Record<string, TeamState> = {};
    for (const team of expected) teams[team] = policyTeams.has(team) ? { state: 'pending' } : { state: 'pending', detail: `no team "${team}" in the policy` };
    for (const ref of byRound.get(round) ?? []) {
      const state = teamState(ref.oid, verdicts.get(doneTagName(round, ref.team!))!);
      if (Object.hasOwn(teams, ref.team!)) teams[ref.team!] = state;
      else extra[ref.team!] = state;
    }
    const complete = expected.length > 0 && expected.every((team) => teams[team].state === 'done');
    return { round, complete, expected, teams, extra };
  });
  return { rounds, source: ctx.source, stats };
}
