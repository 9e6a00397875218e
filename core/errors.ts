/**
 * One way to fail. Modules throw a CoordError carrying the exit code; only cli/main.ts
 * turns it into process.exit. Exit codes are the contract in docs/architecture.md:
 *   0 success, 1 a policy verdict (violation, not done yet), 2 usage or environment error.
 */
export const EXIT_OK = 0;
export const EXIT_VERDICT = 1;
export const EXIT_USAGE = 2;

export class CoordError extends Error {
  readonly exitCode: number;
  /** What to do about it, printed after the message. */
  readonly hint?: string;

  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoordError';
    this.exitCode = options.exitCode ?? EXIT_USAGE;
    this.hint = options.hint;
  }
}

/** Thrown by a command that has already printed its result and wants a non-zero exit (e.g. a verdict). */
export class ExitCode extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitCode';
    this.exitCode = exitCode;
  }
}

export function usageError(message: string, hint?: string): CoordError {
  return new CoordError(message, { exitCode: EXIT_USAGE, hint });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
