/**
 * Deterministic repositories for the benchmark, written with one `git fast-import` stream each: fixed
 * committer times and contents, so the same sizes give the same object ids on every machine.
 *
 * Layout of a generated file set: `<dir>/m<i/1000>/l<(i/20)%50>/f<i>.txt`, 20 files per leaf
 * directory and 50 leaves per middle directory, like a real source tree (small trees, many of them).
 * A commit that writes 20 consecutive new files rewrites one leaf, one middle and the trees above.
 */
import type { Repo } from '../fixtures/repo';

export const spreadPath = (dir: string, index: number): string =>
  `${dir}/m${Math.floor(index / 1000)}/l${Math.floor(index / 20) % 50}/f${index}.txt`;

export interface FileWrite {
  path: string;
  content: string;
}

export interface CommitSpec {
  message: string;
  files: FileWrite[];
}

const EPOCH = 1_700_000_000;

/** Builds one fast-import stream; `run` feeds it to a repository. */
export class FastImport {
  private readonly parts: string[] = [];
  private mark = 0;
  private clock = 0;

  /**
   * Appends a chain of commits to `ref`, the first on top of `from` (a commit id); returns the mark
   * of the last one (`:N`).
   */
  chain(ref: string, from: string, commits: Iterable<CommitSpec>): string {
    let parent = from;
    for (const commit of commits) {
      this.mark += 1;
      this.clock += 1;
      const when = `${EPOCH + this.clock} +0000`;
      this.parts.push(`commit ${ref}`, `mark :${this.mark}`, `author Bench <bench@example.invalid> ${when}`, `committer Bench <bench@example.invalid> ${when}`,
        `data ${Buffer.byteLength(commit.message)}`, commit.message, `from ${parent}`);
      for (const file of commit.files) {
        this.parts.push(`M 100644 inline ${file.path}`, `data ${Buffer.byteLength(file.content)}`, file.content);
      }
      this.parts.push('');
      parent = `:${this.mark}`;
    }
    return parent;
  }

  /** Runs the stream in `repo`; the refs named in it are written (or moved) by fast-import. */
  run(repo: Repo): void {
    if (this.parts.length === 0) return;
    // --force: a ref may be rewritten when a scenario regenerates a branch.
    repo.git(['fast-import', '--quiet', '--force'], this.parts.join('\n') + '\n');
  }
}

/** `count` files starting at index `first` under `dir`, with contents that depend on `version`. */
export function fileSet(dir: string, first: number, count: number, version: string): FileWrite[] {
  const out: FileWrite[] = [];
  for (let index = first; index < first + count; index++) {
    out.push({ path: spreadPath(dir, index), content: `${dir} file ${index} ${version}\n` });
  }
  return out;
}

/** `commits` commits writing `perCommit` new files each (every write a new file), under `dir`. */
export function* bulkCommits(dir: string, commits: number, perCommit: number, label: string): Generator<CommitSpec> {
  for (let commit = 0; commit < commits; commit++) {
    yield { message: `${label} ${commit + 1}/${commits}\n`, files: fileSet(dir, commit * perCommit, perCommit, `${label} ${commit}`) };
  }
}
