/**
 * The board as ONE self-contained HTML file: inline CSS, no script, nothing fetched over the network.
 * A board table (rounds × teams, coloured cells, details on hover), rejected pushes per team, and a
 * timeline with one lane per team. Every piece of text that came from git or the audit log (team names,
 * commit subjects, signers, reasons) goes through `esc`.
 */
import { OTHER_REFUSALS } from '../rounds/refusals';
import { shortTime as short, type Board, type BoardCell, type BoardRound, type CellState, type EventKind, type TimelineEvent } from './board';

export function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const MARK: Record<CellState, string> = { done: '✓', replied: '✎', announced: '◆', pending: '○', invalid: '✗', none: '' };
const EVENT: Record<EventKind, { mark: string; label: string; css: string }> = {
  announced: { mark: '◆', label: 'announced', css: 'announced' },
  replied: { mark: '✎', label: 'replied', css: 'replied' },
  done: { mark: '✓', label: 'done', css: 'done' },
  invalid: { mark: '!', label: 'invalid tag', css: 'invalid' },
  rejected: { mark: '✗', label: 'push rejected', css: 'invalid' },
  bypassed: { mark: '⚠', label: 'push bypassed the gate', css: 'invalid' },
  'round-complete': { mark: '★', label: 'round complete', css: 'done' },
};

const plain = (iso?: string) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '');

const CSS = `
:root{--done:#1e7b45;--done-bg:#dcf3e4;--replied:#1d5fb8;--replied-bg:#dde9fb;--announced:#8a5a00;--announced-bg:#fff0c7;
--pending:#5f6368;--pending-bg:#f1f3f4;--invalid:#b3261e;--invalid-bg:#fde2e0;--line:#d7dbe0;--ink:#1f2328;--muted:#59636e}
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#f6f8fa}
main{max-width:1180px;margin:0 auto;padding:28px 32px 40px;background:#fff;min-height:100vh}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.meta{color:var(--muted);margin:0 0 14px;font-size:13px}.meta code{font-size:12px}
.chips{display:flex;flex-wrap:wrap;gap:10px;margin:0;padding:0;list-style:none}
.chips li{border:1px solid var(--line);border-radius:8px;padding:6px 14px;background:#fafbfc}
.chips b{font-size:20px;margin-right:6px}.chips .bad b{color:var(--invalid)}.chips .good b{color:var(--done)}
table{border-collapse:separate;border-spacing:0;width:100%}
th,td{text-align:left;vertical-align:top}
.board th,.board td{border:1px solid #fff;padding:8px 10px}
.board thead th{background:#eef1f4;font-size:14px;text-align:center;border-radius:6px 6px 0 0}
.board tbody th{background:#f7f8fa;white-space:nowrap;width:170px}
.board tbody th .n{font-size:17px}.board small,.sub{display:block;color:var(--muted);font-size:12px;font-weight:normal}
.badge{display:inline-block;font-size:11px;font-weight:600;border-radius:10px;padding:1px 8px;margin-left:6px;vertical-align:2px}
.badge.complete{background:var(--done);color:#fff}.badge.open{background:#e4e7eb;color:var(--muted)}
.cell{border-radius:6px;text-align:center}
.cell b{display:block;font-size:15px}.cell span{display:block;font-size:12.5px}
.cell.done{background:var(--done-bg);color:var(--done)}.cell.replied{background:var(--replied-bg);color:var(--replied)}
.cell.announced{background:var(--announced-bg);color:var(--announced)}.cell.pending{background:var(--pending-bg);color:var(--pending)}
.cell.invalid{background:var(--invalid-bg);color:var(--invalid)}.cell.none{background:repeating-linear-gradient(45deg,#fafafa 0 6px,#f0f0f0 6px 12px);color:#999}
.cell.extra{outline:2px dashed #bbb;outline-offset:-4px}.cell em{font-size:11.5px;color:var(--muted)}
.board tfoot th,.board tfoot td{font-size:12.5px;color:var(--muted);text-align:center;background:#fafbfc}.board tfoot th{text-align:left}
.board tfoot .bad{color:var(--invalid);font-weight:700;font-size:15px}
.legend{display:flex;flex-wrap:wrap;gap:16px;margin:10px 0 0;font-size:13px;color:var(--muted)}
.legend i{display:inline-block;width:14px;height:14px;border-radius:4px;vertical-align:-2px;margin-right:5px}
.list th,.list td{padding:6px 10px;border-bottom:1px solid var(--line);font-size:14px}.list th{background:#eef1f4;font-size:13px}
.num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:var(--invalid)}
.tl td{border-bottom:1px solid #eef0f2;padding:5px 8px;font-size:13.5px}.tl td.lane{border-bottom:0}.tl thead th{font-size:13px;padding:6px 8px;background:#eef1f4;text-align:center}
.tl .time{white-space:nowrap;color:var(--muted);font-variant-numeric:tabular-nums;width:120px}
.tl .lane{width:64px;text-align:center;background:linear-gradient(#d7dbe0,#d7dbe0) center/2px 100% no-repeat;padding:3px 0}
.dot{display:inline-block;width:24px;height:24px;line-height:24px;border-radius:50%;color:#fff;font-weight:700;font-size:13px;text-align:center}
.dot.done{background:var(--done)}.dot.replied{background:var(--replied)}.dot.announced{background:var(--announced)}.dot.invalid{background:var(--invalid)}
.span{background:var(--done-bg);color:var(--done);font-weight:700;text-align:center;border-radius:6px}
.kind{font-weight:600;margin-right:6px}.kind.done{color:var(--done)}.kind.replied{color:var(--replied)}.kind.announced{color:var(--announced)}.kind.invalid{color:var(--invalid)}
.what code,.meta code{background:#f1f3f4;border-radius:4px;padding:0 4px}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@media print{body{background:#fff}main{padding:0;max-width:none;min-height:0}tr{break-inside:avoid}h2{break-after:avoid}}
`;

function cellTitle(team: string, round: BoardRound, cell: BoardCell): string {
  const lines = [`${team}, round ${round.round}: ${cell.state}${cell.expected ? '' : ' (not expected by the round)'}`];
  if (cell.announced) lines.push(`announced ${plain(cell.announced.time)}: ${cell.announced.subject ?? ''} (${cell.announced.commit.slice(0, 10)})`);
  if (cell.replied) lines.push(`replied ${plain(cell.replied.time)}: ${cell.replied.subject ?? ''} (${cell.replied.commit.slice(0, 10)})`);
  if (cell.state === 'done') lines.push(`done ${plain(cell.done?.time)}, signed by ${cell.done?.signer ?? '?'}${cell.done?.verified ? ` (${cell.done.verified})` : ''}`);
  if (cell.detail) lines.push(cell.detail);
  return lines.join('\n');
}

function cellHtml(team: string, round: BoardRound, cell: BoardCell): string {
  if (cell.state === 'none') return `<td class="cell none" title="${esc(`${team} has no part in round ${round.round}`)}"><span>—</span></td>`;
  const sub = cell.state === 'done' ? `signed by <strong>${esc(cell.done?.signer ?? '?')}</strong></span><span>${esc(short(cell.done?.time))}`
    : cell.state === 'replied' ? esc(short(cell.replied?.time))
    : cell.state === 'announced' ? esc(short(cell.announced?.time))
    : cell.state === 'invalid' ? 'done tag does not verify' : 'not announced';
  const extra = cell.expected ? '' : '<em>not expected</em>';
  return `<td class="cell ${cell.state}${cell.expected ? '' : ' extra'}" title="${esc(cellTitle(team, round, cell))}"><b>${MARK[cell.state]} ${cell.state}</b><span>${sub}</span>${extra}</td>`;
}

function boardHtml(board: Board): string {
  if (board.rounds.length === 0) return '<p>No rounds yet. The architect starts one with <code>coord-hooks announce --team T --round 1 -m "…"</code>.</p>';
  const head = `<thead><tr><th>Round</th>${board.teams.map((team) => `<th scope="col">${esc(team)}</th>`).join('')}</tr></thead>`;
  const rows = board.rounds.map((round) => {
    const done = round.expected.filter((team) => round.cells[team]?.state === 'done').length;
    const label = `<th scope="row"><span class="n">Round ${round.round}</span><span class="badge ${round.complete ? 'complete' : 'open'}">${round.complete ? 'complete' : 'open'}</span>`
      + `<small>${done} of ${round.expected.length} done · waits for ${esc(round.expected.join(', ') || 'nobody')}</small></th>`;
    return `<tr>${label}${board.teams.map((team) => cellHtml(team, round, round.cells[team])).join('')}</tr>`;
  });
  const activity = `<tr><th>last activity</th>${board.teams.map((team) => `<td>${esc(short(board.lastActivity[team])) || '—'}</td>`).join('')}</tr>`;
  const rejected = board.rejected
    ? `<tr><th>rejected pushes</th>${board.teams.map((team) => { const count = board.rejected![team]?.count ?? 0; return `<td${count ? ' class="bad"' : ''}>${count}</td>`; }).join('')}</tr>` : '';
  const legend = (['done', 'replied', 'announced', 'pending', 'invalid'] as const)
    .map((state) => `<span><i style="background:var(--${state}-bg);border:1px solid var(--${state})"></i>${MARK[state]} ${state}</span>`).join('');
  return `<table class="board">${head}<tbody>${rows.join('')}</tbody><tfoot>${activity}${rejected}</tfoot></table>`
    + `<div class="legend">${legend}<span>Hover a cell for commits, signer and times (UTC).</span></div>`;
}

function rejectedHtml(board: Board): string {
  if (!board.rejected) return '<p class="sub">No audit log was read: run <code>coord-hooks report</code> in the bare server repository, or pass <code>--audit PATH</code>.</p>';
  const entries = Object.entries(board.rejected).sort((a, b) => b[1].count - a[1].count);
  const others = OTHER_REFUSALS.filter(({ key }) => (board.refused?.[key].count ?? 0) > 0).map(({ key, label, text }) => [`${label} (${text})`, board.refused![key]] as const);
  if (entries.length + others.length === 0) return `<p>No push was rejected, refused or bypassed${board.audit ? ` (audit log <code>${esc(board.audit)}</code>)` : ''}.</p>`;
  const row = ([who, entry]: readonly [string, { count: number; last?: string; reason?: string }]) => `<tr><td>${esc(who)}</td><td class="num bad"><b>${entry.count}</b></td><td class="time" title="${esc(plain(entry.last))}">${esc(short(entry.last))}</td><td>${esc(entry.reason ?? '')}</td></tr>`;
  return `<table class="list"><thead><tr><th>Team (owner of the ref), or why the gate did not judge</th><th class="num">Pushes</th><th>Last</th><th>Latest reason</th></tr></thead><tbody>${[...entries, ...others].map(row).join('')}</tbody></table>`;
}

function eventRow(board: Board, event: TimelineEvent): string {
  const kind = EVENT[event.kind];
  const title = esc(`${plain(event.time)} · ${kind.label}${event.round ? ` · round ${event.round}` : ''}${event.team ? ` · ${event.team}` : ''}\n${event.text}${event.detail ? `\n${event.detail}` : ''}${event.commit ? `\ncommit ${event.commit}` : ''}`);
  const lanes = event.team === null
    ? `<td class="span" colspan="${board.teams.length}" title="${title}">★ round ${event.round ?? ''} complete</td>`
    : board.teams.map((team) => `<td class="lane">${team === event.team ? `<span class="dot ${kind.css}" title="${title}">${kind.mark}</span>` : ''}</td>`).join('');
  const where = `${event.round ? `round ${event.round}` : ''}${event.team !== null ? ` · ${esc(event.team)}` : ''}`;
  return `<tr><td class="time" title="${esc(plain(event.time))}">${esc(short(event.time))}</td>${lanes}`
    + `<td class="what"><span class="kind ${kind.css}">${kind.label}</span><span class="sub" style="display:inline">${where}</span><br>${esc(event.text)}</td></tr>`;
}

function timelineHtml(board: Board): string {
  if (board.timeline.length === 0) return '<p>Nothing has happened yet.</p>';
  const head = `<thead><tr><th>Time (UTC)</th>${board.teams.map((team) => `<th>${esc(team)}</th>`).join('')}<th style="text-align:left">What happened</th></tr></thead>`;
  return `<table class="tl">${head}<tbody>${board.timeline.map((event) => eventRow(board, event)).join('')}</tbody></table>`;
}

export function renderHtml(board: Board): string {
  const complete = board.rounds.filter((round) => round.complete).length;
  const rejectedTotal = board.rejected ? Object.values(board.rejected).reduce((sum, entry) => sum + entry.count, (board.refused?.policyBroken.count ?? 0) + (board.refused?.gateErrors.count ?? 0)) : undefined;
  const bypassed = board.refused?.bypassed.count ?? 0;
  const chips = [
    `<li><b>${board.rounds.length}</b>round${board.rounds.length === 1 ? '' : 's'}</li>`,
    `<li class="good"><b>${complete}</b>complete</li>`,
    `<li><b>${board.teams.length}</b>teams</li>`,
    rejectedTotal === undefined ? '' : `<li${rejectedTotal ? ' class="bad"' : ''}><b>${rejectedTotal}</b>rejected push${rejectedTotal === 1 ? '' : 'es'}</li>`,
    bypassed ? `<li class="bad"><b>${bypassed}</b>bypassed push${bypassed === 1 ? '' : 'es'}</li>` : '',
    `<li><b>${board.timeline.length}</b>events</li>`,
  ].join('');
  const audit = board.audit ? ` · audit log <code>${esc(board.audit)}</code>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="coord-hooks"><title>coord-hooks report · ${board.rounds.length} round(s)</title><style>${CSS}</style></head>
<body><main>
<h1>Rounds report</h1>
<p class="meta">Policy and keys from <code>${esc(board.source)}</code> · generated ${esc(plain(board.generated))}${audit}</p>
<ul class="chips">${chips}</ul>
<h2>Board</h2>
${boardHtml(board)}
<h2>Rejected pushes</h2>
${rejectedHtml(board)}
<h2>Timeline</h2>
${timelineHtml(board)}
<footer>Generated by coord-hooks report from git alone: round branches, signed done tags${board.rejected ? ' and the server\'s audit log' : ''}. Times are UTC.</footer>
</main></body></html>
`;
}
