#!/usr/bin/env bash
# coord-hooks on GitHub.com (no server hooks): the entry point of action.yml. Works out which team and
# which commits to judge from the workflow event, then runs
#   coord-hooks check --format github --team TEAM --policy-from REF RANGE
# which prints one ::error annotation per violation and a summary line. Exit code: check's own
# (0 in scope · 1 violations · 2 could not decide), so the job fails on a violation and a required
# status check blocks the merge.
#
# Reads: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH (the event JSON: pull_request.base/head, or before/after
# for pushes), GITHUB_BASE_REF, GITHUB_HEAD_REF, GITHUB_REF_NAME, GITHUB_REF_TYPE.
# Inputs (action.yml passes them as INPUT_TEAM, INPUT_RANGE, INPUT_POLICY_FROM; empty = default):
#   team         default: the first component of the branch name <team>/… (PR head, or the pushed branch)
#   range        default: the PR's base..head, or before..after of a push (a new branch: its commits
#                that are not on the protected branch)
#   policy-from  default: the base branch (origin/<base>; for pushes the repository's default branch)
# COORD_HOOKS_PACKAGE: the npm package npx runs when no `coord-hooks` is on PATH (default coord-hooks).
# Needs the history: actions/checkout with fetch-depth: 0 (missing commits are fetched when possible).
set -uo pipefail

ZERO=0000000000000000000000000000000000000000

# Workflow-command message escaping (GitHub's rules: % CR LF).
gh_escape() {
  local text=$1
  text=${text//%/%25}
  text=${text//$'\r'/%0D}
  text=${text//$'\n'/%0A}
  printf '%s' "$text"
}
gh_error() { printf '::error title=coord-hooks::%s\n' "$(gh_escape "$1")"; }
gh_notice() { printf '::notice title=coord-hooks::%s\n' "$(gh_escape "$1")"; }
die() { gh_error "$1"; exit 2; }

# A field of the event JSON, by dotted path ("" when absent).
event_field() {
  [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "${GITHUB_EVENT_PATH}" ] || return 0
  node -e '
    let value = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const key of process.argv[2].split(".")) value = value == null ? undefined : value[key];
    if (value !== undefined && value !== null) process.stdout.write(String(value));
  ' "$GITHUB_EVENT_PATH" "$1"
}

git rev-parse --git-dir >/dev/null 2>&1 || die "not in a git repository: run actions/checkout (with fetch-depth: 0) before coord-hooks"

# Makes sure a commit is here; fetches it from origin when the checkout is shallow or partial.
need_commit() {
  local rev=$1
  git cat-file -e "$rev^{commit}" 2>/dev/null && return 0
  if [[ $rev =~ ^[0-9a-f]{40}$ ]]; then git fetch --quiet --no-tags origin "$rev" 2>/dev/null || true; fi
  git cat-file -e "$rev^{commit}" 2>/dev/null || die "commit $rev is not in this checkout: use actions/checkout with fetch-depth: 0"
}

# The branch's own name for its tip, so that check sees round branches (<team>/round-N) as such.
# In a pull_request checkout HEAD is detached at the merge commit: a local branch is created for the
# head when there is none (the checkout is the job's scratch copy).
tip_name() {
  local branch=$1 sha=$2
  [ -n "$branch" ] && git check-ref-format --branch "$branch" >/dev/null 2>&1 || { printf '%s' "$sha"; return; }
  local current
  current=$(git rev-parse --verify -q "refs/heads/$branch^{commit}" 2>/dev/null || true)
  if [ -z "$current" ]; then
    git update-ref "refs/heads/$branch" "$sha" 2>/dev/null && current=$sha
  fi
  if [ "$current" = "$sha" ]; then printf '%s' "$branch"; else printf '%s' "$sha"; fi
}

# The policy's source: origin/<branch> when the checkout has it (actions/checkout with fetch-depth: 0),
# else the first of the fallbacks that names a commit.
policy_ref() {
  local branch=$1 ref
  shift
  if [ -n "$branch" ] && git rev-parse --verify -q "refs/remotes/origin/$branch^{commit}" >/dev/null 2>&1; then
    printf '%s' "origin/$branch"
    return
  fi
  for ref in "$@"; do
    [ -n "$ref" ] && git rev-parse --verify -q "$ref^{commit}" >/dev/null 2>&1 && { printf '%s' "$ref"; return; }
  done
}

event=${GITHUB_EVENT_NAME:-}
team=${INPUT_TEAM:-}
range=${INPUT_RANGE:-}
policy_from=${INPUT_POLICY_FROM:-}
branch=''
base_branch=''

case "$event" in
  pull_request | pull_request_target)
    branch=${GITHUB_HEAD_REF:-$(event_field pull_request.head.ref)}
    base_branch=${GITHUB_BASE_REF:-$(event_field pull_request.base.ref)}
    base_sha=$(event_field pull_request.base.sha)
    head_sha=$(event_field pull_request.head.sha)
    if [ -z "$range" ]; then
      [ -n "$base_sha" ] && [ -n "$head_sha" ] || die "the $event event has no pull_request.base.sha/head.sha: pass the range input"
      need_commit "$base_sha"
      need_commit "$head_sha"
      range="$base_sha..$(tip_name "$branch" "$head_sha")"
    fi
    [ -n "$policy_from" ] || policy_from=$(policy_ref "$base_branch" "$base_sha" "$base_branch")
    ;;
  push)
    if [ "${GITHUB_REF_TYPE:-branch}" = tag ] || [[ $(event_field ref) == refs/tags/* ]]; then
      gh_notice "tag push (${GITHUB_REF_NAME:-}): tags are not team work; nothing to check"
      exit 0
    fi
    branch=${GITHUB_REF_NAME:-$(event_field ref)}
    branch=${branch#refs/heads/}
    base_branch=$(event_field repository.default_branch)
    base_branch=${base_branch:-main}
    before=$(event_field before)
    after=$(event_field after)
    if [ -z "$range" ]; then
      [ -n "$after" ] || die "the push event has no \"after\" commit: pass the range input"
      if [ "$after" = "$ZERO" ]; then
        gh_notice "branch $branch was deleted; nothing to check"
        exit 0
      fi
      if [ -z "$team" ] && [ "$branch" = "$base_branch" ]; then
        gh_notice "push to the protected branch $branch: that is the architect's merge, not team work; nothing to check"
        exit 0
      fi
      need_commit "$after"
      tip=$(tip_name "$branch" "$after")
      if [ -z "$before" ] || [ "$before" = "$ZERO" ] || ! git cat-file -e "$before^{commit}" 2>/dev/null; then
        range=$tip   # a new branch (or a forced push from unknown history): its commits not on the protected branch
      else
        range="$before..$tip"
      fi
    fi
    [ -n "$policy_from" ] || policy_from=$(policy_ref "$base_branch" "$base_branch")
    ;;
  *)
    if [ -z "$range" ] || [ -z "$team" ]; then
      die "event \"$event\" is not pull_request or push: pass the team and range inputs"
    fi
    ;;
esac

if [ -z "$team" ]; then
  if [[ $branch == */* ]]; then
    team=${branch%%/*}
  else
    die "cannot tell the team: branch \"$branch\" is not named <team>/…; set the team input of the coord-hooks action"
  fi
fi

if command -v coord-hooks >/dev/null 2>&1; then
  cmd=(coord-hooks)
else
  cmd=(npx --yes "${COORD_HOOKS_PACKAGE:-coord-hooks}")
fi
args=(check --format github --team "$team")
[ -n "$policy_from" ] && args+=(--policy-from "$policy_from")
args+=("$range")

echo "coord-hooks: judging $range as team $team (policy from ${policy_from:-the protected branch})"
"${cmd[@]}" "${args[@]}"
status=$?
if [ "$status" -ge 2 ]; then
  gh_error "coord-hooks check could not decide (exit $status): see the log above"
fi
exit "$status"
