/**
 * What `wait-for` shows while it waits: on a terminal one status line rewritten in place
 * ("round 3 · done: fw ✓ · pending: pm · 12s"), elsewhere (logs, agents) one line per change.
 */
export class WaitDisplay {
  private statusShown = false;

  constructor(private readonly round: number, private readonly out: (text: string) => void, private readonly isTTY: boolean, private readonly started: number) {}

  begin(teams: string[], remote: string, intervalMs: number): void {
    this.line(`waiting for round ${this.round}: ${teams.join(', ')} (polling ${remote} every ${intervalMs / 1000}s)`);
  }

  done(team: string, signer: string): void {
    this.line(`${team} done (${signer})`);
  }

  invalid(team: string, tag: string, detail: string): void {
    this.line(`${team}: ${tag} does not count: ${detail}; ${team} stays pending`);
  }

  note(text: string): void {
    this.line(text);
  }

  /** The rewritten status line (terminal only). */
  status(teams: string[], done: Map<string, string>): void {
    if (!this.isTTY) return;
    const finished = teams.filter((team) => done.has(team));
    const pending = teams.filter((team) => !done.has(team));
    const elapsed = Math.round((Date.now() - this.started) / 1000);
    this.out(`\r\x1b[Kround ${this.round} · done: ${finished.map((team) => `${team} ✓`).join(' ') || '-'} · pending: ${pending.join(' ') || '-'} · ${elapsed}s`);
    this.statusShown = true;
  }

  end(): void {
    if (this.statusShown) this.out('\r\x1b[K');
    this.statusShown = false;
  }

  private line(text: string): void {
    this.end();
    this.out(`${text}\n`);
  }
}
