/**
 * One long-lived `git cat-file --batch` process serving every object read of a run.
 * Requests are answered in order; callers may issue many without awaiting each.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { gitEnv, GitError, traceSpawn } from './run';

export interface GitObject {
  oid: string;
  type: 'blob' | 'tree' | 'commit' | 'tag';
  size: number;
  content: Buffer;
}

export interface TreeEntry {
  /** Octal mode as git writes it in trees ("100644", "40000", "120000", "160000"). */
  mode: string;
  name: string;
  oid: string;
}

interface Pending {
  rev: string;
  resolve: (object: GitObject | null) => void;
  reject: (error: Error) => void;
}

export class CatFileBatch {
  private readonly child: ChildProcessWithoutNullStreams;
  /** Requests in order; answered ones before `head` (a plain shift() per answer is quadratic for thousands of reads). */
  private queue: Pending[] = [];
  private head = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | null = null;
  private stderr = '';
  /** Requests not yet written: one write per tick for all of them (thousands of reads, one syscall each, cost more than git's answers). */
  private outgoing: string[] = [];

  constructor(cwd: string, env?: NodeJS.ProcessEnv) {
    traceSpawn(['cat-file', '--batch'], env);
    this.child = spawn('git', ['cat-file', '--batch'], { cwd, env: gitEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString('utf8'); });
    this.child.stdin.on('error', (error) => this.fail(error));
    this.child.on('error', (error) => this.fail(error));
    this.child.on('close', (code) => {
      if (this.pending() > 0) this.fail(new GitError(['cat-file', '--batch'], code, this.stderr || 'exited early'));
    });
  }

  /** Reads an object by oid or revision expression (`HEAD:path`); null when it does not exist. */
  read(rev: string): Promise<GitObject | null> {
    if (this.failure) return Promise.reject(this.failure);
    if (/[\n\r]/.test(rev)) return Promise.reject(new Error(`object name contains a newline: ${JSON.stringify(rev)}`));
    return new Promise((resolve, reject) => {
      this.queue.push({ rev, resolve, reject });
      if (this.outgoing.push(rev) === 1) process.nextTick(() => this.flush());
    });
  }

  private flush(): void {
    const lines = this.outgoing;
    this.outgoing = [];
    if (!this.failure) this.child.stdin.write(`${lines.join('\n')}\n`);
  }

  async readBlobText(rev: string): Promise<string | null> {
    const object = await this.read(rev);
    return object && object.type === 'blob' ? object.content.toString('utf8') : null;
  }

  /** Entries of a tree object (by oid or `rev:path`); null when it is missing or not a tree. */
  async readTree(rev: string): Promise<TreeEntry[] | null> {
    const object = await this.read(rev);
    if (!object || object.type !== 'tree') return null;
    const entries: TreeEntry[] = [];
    const data = object.content;
    let offset = 0;
    while (offset < data.length) {
      const space = data.indexOf(32, offset);
      const nul = data.indexOf(0, space);
      const mode = data.subarray(offset, space).toString('latin1');
      const name = data.subarray(space + 1, nul).toString('utf8');
      const oidLength = object.oid.length / 2;
      entries.push({ mode, name, oid: data.subarray(nul + 1, nul + 1 + oidLength).toString('hex') });
      offset = nul + 1 + oidLength;
    }
    return entries;
  }

  close(): void {
    if (this.outgoing.length) this.flush();
    this.child.stdin.end();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const waiting = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const pending of waiting) pending.reject(error);
  }

  private pending(): number {
    return this.queue.length - this.head;
  }

  private next(): Pending {
    const pending = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return pending;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.pending() > 0) {
      const eol = this.buffer.indexOf(10);
      if (eol < 0) return;
      const header = this.buffer.subarray(0, eol).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(eol + 1);
        this.next().resolve(null);
        continue;
      }
      const [oid, type, sizeText] = header.split(' ');
      const size = Number(sizeText);
      if (this.buffer.length < eol + 1 + size + 1) return;
      const content = Buffer.from(this.buffer.subarray(eol + 1, eol + 1 + size));
      this.buffer = this.buffer.subarray(eol + 1 + size + 1);
      this.next().resolve({ oid, type: type as GitObject['type'], size, content });
    }
  }
}
