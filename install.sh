#!/usr/bin/env bash
# install.sh: for administrators. Installs coord-hooks with npm into a prefix, then installs the
# server gate into each bare repository named. Safe to re-run (upgrades in place; the hooks keep
# pointing at <prefix>/node_modules/coord-hooks). See docs/install.md.
set -uo pipefail

usage() {
  cat <<'EOF'
Usage: install.sh [--prefix DIR] [--from DIR | --package SPEC] [REPO…]

Installs coord-hooks into DIR with npm, then, for each bare repository REPO, runs
  DIR/node_modules/.bin/coord-hooks install --server --repo REPO
which writes the pre-receive and post-receive hooks (the gate). A hook already in
place is kept as <hook>.coord-hooks-chained and still runs. With no REPO, only the
package is installed (or upgraded: installed hooks keep working, they record the
prefix's path). Re-running is safe.

Options:
  --prefix DIR     where to install the package (default: /opt/coord-hooks)
  --from DIR       the coord-hooks checkout to build, pack and install
                   (default: the directory holding this script)
  --package SPEC   install this npm spec instead of a checkout
                   (coord-hooks, coord-hooks@0.1.0, a .tgz path or URL)
  -h, --help       show this help

Needs node >= 20, npm and git on PATH. npm settings apply as usual
(npm_config_registry, npm_config_prefer_offline=true, ...).

Exit codes: 0 success · 2 usage or environment error (no node or npm, not a bare
repository, npm or the install failed)
EOF
}

die() {
  echo "install.sh: $1" >&2
  if [ -n "${2:-}" ]; then echo "hint: $2" >&2; fi
  exit 2
}

prefix=/opt/coord-hooks
from=''
spec=''
repos=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --prefix) [ $# -ge 2 ] || die '--prefix needs a directory'; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --from) [ $# -ge 2 ] || die '--from needs a directory'; from=$2; shift 2 ;;
    --from=*) from=${1#*=}; shift ;;
    --package) [ $# -ge 2 ] || die '--package needs an npm spec'; spec=$2; shift 2 ;;
    --package=*) spec=${1#*=}; shift ;;
    --) shift; repos+=("$@"); break ;;
    -*) die "unknown option $1" 'run `install.sh --help`' ;;
    *) repos+=("$1"); shift ;;
  esac
done
[ -z "$from" ] || [ -z "$spec" ] || die '--from and --package exclude each other' 'name a checkout with --from, or an npm spec with --package'
[ -n "$prefix" ] || die '--prefix needs a directory'

# The environment, before anything is changed.
command -v node >/dev/null 2>&1 || die 'node is not on PATH' 'install Node.js 20 or later (https://nodejs.org), then re-run'
command -v npm >/dev/null 2>&1 || die 'npm is not on PATH' 'install npm (it ships with Node.js), then re-run'
command -v git >/dev/null 2>&1 || die 'git is not on PATH' 'install git, then re-run'
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "node $(node --version) is too old: coord-hooks needs node 20 or later" 'install Node.js 20 or later, then re-run'

unset GIT_DIR GIT_WORK_TREE GIT_COMMON_DIR GIT_INDEX_FILE
for repo in ${repos[@]+"${repos[@]}"}; do
  [ -d "$repo" ] || die "$repo: no such directory" 'name the bare repository that people push to (e.g. /srv/git/project.git)'
  bare=$(git -C "$repo" rev-parse --is-bare-repository 2>/dev/null) \
    || die "$repo is not a git repository" "create it with \`git init --bare $repo\`, or name an existing bare repository"
  [ "$bare" = true ] || die "$repo is not a bare repository: the gate belongs in the repository people push to" \
    'name the bare repository (e.g. /srv/git/project.git); clones get their hooks with `npx coord-hooks install`'
done

# The package: a tarball packed from a checkout (kept in the prefix, so npm can reinstall it), or a spec.
mkdir -p "$prefix" || die "cannot create $prefix" 'choose another --prefix, or run as a user who may write there'
prefix=$(cd "$prefix" && pwd -P) || die "cannot enter $prefix"
if [ -z "$spec" ]; then
  [ -n "$from" ] || from=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
  [ -f "$from/package.json" ] && grep -q '"name": *"coord-hooks"' "$from/package.json" \
    || die "$from is not a coord-hooks checkout (no package.json named coord-hooks)" 'pass --from with the checkout, or --package SPEC'
  packs="$prefix/packages"
  work=$(mktemp -d "${TMPDIR:-/tmp}/coord-hooks-pack.XXXXXX") || die 'cannot create a temporary directory'
  trap 'rm -rf "$work"' EXIT
  # Build only when dist/ is missing or older than a source file: rebuilding a fresh dist/ would rewrite
  # files under hooks that may be running from this checkout right now.
  stale=$(cd "$from" && { [ -f dist/cli/main.js ] || echo missing; } && find cli core git policy gate hooks rounds fixtures demo report \
    -name '*.ts' -newer dist/cli/main.js 2>/dev/null | head -n 1)
  if [ -n "$stale" ]; then
    echo "install.sh: building $from (dist/ is missing or older than the sources)"
    (cd "$from" && npm run build >"$work/build.log" 2>&1) \
      || { cat "$work/build.log" >&2; die "the build failed in $from" 'fix the build (`npm ci && npm run build` in the checkout), then re-run'; }
  fi
  echo "install.sh: packing $from"
  (cd "$from" && npm pack --silent --ignore-scripts --pack-destination "$work" >"$work/pack.log" 2>&1) \
    || { cat "$work/pack.log" >&2; die "npm pack failed in $from" 'fix the build (`npm ci && npm run build` in the checkout), then re-run'; }
  tarballs=("$work"/*.tgz)
  [ ${#tarballs[@]} -eq 1 ] && [ -f "${tarballs[0]}" ] || die "npm pack did not produce one tarball in $work"
  # Named by content: npm reinstalls a changed checkout (same version, new name) and skips an unchanged one.
  hash=$(node -e 'const c = require("crypto"), f = require("fs");
    process.stdout.write(c.createHash("sha256").update(f.readFileSync(process.argv[1])).digest("hex").slice(0, 12))' "${tarballs[0]}") \
    || die "cannot read ${tarballs[0]}"
  name=$(basename -- "${tarballs[0]}" .tgz)
  mkdir -p "$packs" || die "cannot create $packs"
  spec="$packs/$name-$hash.tgz"
  cp -f -- "${tarballs[0]}" "$spec" || die "cannot copy the package to $packs"
fi

echo "install.sh: installing $spec into $prefix"
npm install --prefix "$prefix" --omit=dev --no-audit --no-fund --loglevel=error "$spec" \
  || die "npm install of $spec into $prefix failed" 'check npm'\''s message above (registry access, permissions), then re-run'
for old in "$prefix"/packages/coord-hooks-*.tgz; do
  [ ! -f "$old" ] || [ "$old" = "$spec" ] || rm -f -- "$old"
done
cli="$prefix/node_modules/.bin/coord-hooks"
[ -x "$cli" ] || die "$cli is missing after npm install" "check that $spec is the coord-hooks package"
echo "install.sh: coord-hooks $("$cli" --version) in $prefix"

for repo in ${repos[@]+"${repos[@]}"}; do
  "$cli" install --server --repo "$repo" || die "installing the gate into $repo failed (see above)"
done
if [ ${#repos[@]} -eq 0 ]; then
  echo "install.sh: no repository named; install the gate with: $cli install --server --repo REPO"
fi
exit 0
