/** What a command or hook runner reads and writes: its directory, environment and streams. Lives below every layer so that gate/, hooks/ and rounds/ need nothing from cli/. */
export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout is a terminal (progress displays, colour). */
  isTTY: boolean;
}
