/** `coord-hooks down`: options and help only; the work is in conductor/down.ts. */
import { CoordError } from '../core/errors';
import { defineCommand } from './command';

export default defineCommand<Record<string, never>>({
  name: 'down',
  summary: 'Architect: stop what `coord-hooks up` started in this clone: the conductor, its agents, its tmux windows. Unfinished runs resume with the next up.',
  options: {},
  exitCodes: '0 stopped (or nothing was running) · 1 up never ran in this clone · 2 usage or environment error',
  async run({ positionals }, io) {
    if (positionals.length > 0) throw new CoordError('down takes no arguments', { hint: 'run it in the architect\'s clone where up runs' });
    return (await import('../conductor/down')).down(io);
  },
});
