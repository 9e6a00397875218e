#!/usr/bin/env bash
# Builds a GitHub Enterprise Server pre-receive hook environment: a minimal Linux root holding what the
# coord-hooks gate runs (node 20+, git >= 2.11, ssh-keygen, gpg, sh) with the shared libraries each
# loads (found with ldd), a passwd entry for the hook's user (ssh-keygen refuses to run without one),
# /tmp, and the committed bundle at /opt/coord-hooks/coord-hooks.cjs. With a second argument it also
# writes the .tar.gz that GHES takes (Site admin → Hooks → Environments, or `ghe-hook-env-create`).
#
#   ci/ghes-environment.sh OUT_DIR [OUT.tar.gz]
#
# The tools are copied from this machine, so build on the architecture GHES runs (x86-64 Linux) with
# the versions you want. The hook script to add in GHES (a repository of hook scripts) is then:
#   #!/bin/sh
#   exec /usr/bin/node /opt/coord-hooks/coord-hooks.cjs hook pre-receive 2>&1
# test/integration/ghes-environment.test.ts builds one and runs real pushes through the gate inside it.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: ci/ghes-environment.sh OUT_DIR [OUT.tar.gz]" >&2
  exit 2
fi
out=$1
tarball=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
bundle="$here/coord-hooks.cjs"
[ -f "$bundle" ] || { echo "ghes-environment: $bundle is missing: run npm run bundle" >&2; exit 2; }
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "ghes-environment: $out is not empty: give a new directory" >&2
  exit 2
fi
mkdir -p "$out"
# The same top-level layout as here (merged /usr: /bin, /lib, /lib64, /sbin are symlinks into /usr).
for top in bin lib lib64 sbin; do
  if [ -L "/$top" ]; then
    mkdir -p "$out/$(readlink "/$top" | sed 's#^/##')"
    ln -s "$(readlink "/$top")" "$out/$top"
  fi
done

# A program and every library it loads, at the same paths as here (so the loader finds them).
copy_program() {
  local program path lib
  program=$(command -v "$1") || { echo "ghes-environment: $1 is not installed here (apt-get install $2)" >&2; exit 2; }
  path=$(readlink -f "$program")
  mkdir -p "$out$(dirname "$program")"
  cp -L "$path" "$out$program"
  for lib in $(ldd "$path" | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
    [ -e "$out$lib" ] || cp -L --parents "$lib" "$out"
  done
}

copy_program node nodejs
copy_program git git
copy_program ssh-keygen openssh-client
copy_program gpg gpg
copy_program sh dash

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { echo "ghes-environment: node $(node --version) is older than 20" >&2; exit 2; }
git_version=$(git --version | awk '{ print $3 }')
printf '%s\n2.11\n' "$git_version" | sort -V -C -r || { echo "ghes-environment: git $git_version is older than 2.11" >&2; exit 2; }

mkdir -p "$out/opt/coord-hooks" "$out/etc" "$out/tmp" "$out/dev"
chmod 1777 "$out/tmp"
cp "$bundle" "$out/opt/coord-hooks/coord-hooks.cjs"
# package.json: the bundle reads its version from the nearest one.
node -e 'const p = require(process.argv[1]); process.stdout.write(JSON.stringify({ name: p.name, version: p.version }) + "\n")' "$here/../package.json" > "$out/opt/coord-hooks/package.json"
# GHES runs hooks as an unprivileged user; root is listed for building and testing here.
printf 'root:x:0:0:root:/tmp:/bin/sh\ngit:x:500:500:git:/tmp:/bin/sh\n' > "$out/etc/passwd"
printf 'root:x:0:\ngit:x:500:\n' > "$out/etc/group"

if [ -n "$tarball" ]; then
  tar -C "$out" -czf "$tarball" .
fi
echo "ghes-environment: $out ($(du -sh "$out" | cut -f1)): node $(node --version), git $git_version, $(ssh -V 2>&1 | cut -d, -f1), gpg $(gpg --version | head -1 | awk '{ print $3 }')${tarball:+; $tarball}"
