/**
 * The policy model. Built from the YAML front-matter of every CLAUDE.md in a tree (policy/build.ts),
 * whether that tree is a work tree (policy/load-worktree.ts) or a git tree (policy/load-tree.ts).
 * Exact keys, defaults and meaning: docs/policy.md.
 */
import type { Pathspec } from './pathspec';

/** Where something was written: repository-relative file, 1-based line and column. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface Pattern {
  /** The pattern as written in the policy. */
  text: string;
  pos: SourcePos;
  spec: Pathspec;
}

export interface Team {
  name: string;
  /** The CLAUDE.md that declares the team (repository-relative). */
  file: string;
  write: Pattern[];
  read: Pattern[];
  /** Host identities (GL_USER, REMOTE_USER, ...) that act for this team in `pusher` identity mode. */
  members: string[];
  /** Accounts on hosts without server hooks (GitHub logins, GitLab usernames) whose pull requests are this team's. */
  accounts?: HostAccounts;
  pos: SourcePos;
}

/** Code hosts whose accounts a policy can map to teams (policy/accounts.ts). */
export type AccountHost = 'github' | 'gitlab';
export type HostAccounts = Partial<Record<AccountHost, { login: string; pos: SourcePos }[]>>;

export type IdentityMode = 'ref' | 'pusher' | 'signature';

export interface CoordSettings {
  /** Branch names (without refs/heads/) only the architect may update. Default ["main"]. */
  protected: string[];
  /** Principals/identities of the architect: signer principal in the signers file and host user names. Default ["architect"]. */
  architects: string[];
  /** Repository path of the OpenSSH allowed-signers file. Default ".coord/allowed_signers". */
  signers: string;
  identity: IdentityMode;
  /** Shell commands run (detached) by post-receive when a round completes. */
  onRoundComplete: string[];
  /** Branch patterns (git pathspec syntax over the name after refs/heads/) allowed outside team namespaces. Default []. */
  extraBranches: string[];
  /** Ref patterns (git pathspec syntax over the full ref name) outside refs/heads and refs/tags that may be pushed. Default []. */
  extraRefs: string[];
  /** Who may delete a team branch: "team" (the owning team, default) or "architect". */
  deleteBranch: 'team' | 'architect';
  /** Who may push tags other than round tags: "architect" (default) or "anyone". */
  otherTags: 'architect' | 'anyone';
  /** Host accounts of the architect (policy/accounts.ts). */
  architectAccounts?: HostAccounts;
  /** The command `coord-hooks up` runs as each team's agent (default: Claude Code). */
  agent?: string;
  pos?: SourcePos;
}

export interface Policy {
  teams: Team[];
  coord: CoordSettings;
  /** Every CLAUDE.md with front-matter, plus the signers file: writable by the architect only. */
  policyFiles: string[];
}

export interface PolicyProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  /** How to fix it, one sentence. */
  fix: string;
}

export interface PolicyFile {
  /** Repository-relative path with forward slashes (e.g. "fw/CLAUDE.md", "CLAUDE.md"). */
  path: string;
  text: string;
}
