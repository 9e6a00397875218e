#!/usr/bin/env bash
# Debian packages the test suite needs beyond Node:
#   git, ssh-keygen (signing), gpg (OpenPGP keys);
#   the end-to-end transports of test/e2e/: openssh-server (sshd), nginx + fcgiwrap (smart HTTP
#   through git http-backend), openssl (the htpasswd line, `openssl passwd -apr1`), gitolite3.
#   The benchmark (npm run bench): time (GNU /usr/bin/time, peak RSS), gitolite3 (the peer).
#   The sandbox (coord-hooks sandbox, Claude Code's sandbox on Linux): bubblewrap, socat.
#   coord-hooks up --interactive (one tmux window per team): tmux.
# And the real Claude Code CLI for test/e2e/claude-code.test.ts, from npm (pinned), into
# /opt/coord-hooks/claude-code (not a dependency of the package: it ships per-platform binaries, and a
# lockfile naming other platforms' packages breaks npm ci on the Linux-only mirror).
# `npm run setup` runs it (README: "The two commands"). Idempotent and fast when everything is there
# (it then needs no privileges); otherwise it needs root: not root, it re-runs itself with sudo.
# The tests start their own servers on 127.0.0.1 with their own configuration; the packages' system
# services (sshd on :22, nginx on :80, fcgiwrap's socket) are kept from starting at install time
# with a temporary /usr/sbin/policy-rc.d (when the machine has none), and are never needed.
set -euo pipefail
packages=(git openssh-client gnupg openssh-server nginx fcgiwrap openssl gitolite3 chromium time bubblewrap socat tmux)
CLAUDE_CODE_VERSION=2.1.332
CLAUDE_CODE_PREFIX=/opt/coord-hooks/claude-code
claude_code_present() {
  [ -x "$CLAUDE_CODE_PREFIX/node_modules/.bin/claude" ] && "$CLAUDE_CODE_PREFIX/node_modules/.bin/claude" --version 2>/dev/null | grep -q "^$CLAUDE_CODE_VERSION "
}
install_claude_code() {
  if claude_code_present; then
    echo "system-deps: Claude Code $CLAUDE_CODE_VERSION present ($CLAUDE_CODE_PREFIX)"
    return 0
  fi
  echo "system-deps: installing Claude Code $CLAUDE_CODE_VERSION into $CLAUDE_CODE_PREFIX"
  mkdir -p "$CLAUDE_CODE_PREFIX"
  npm install --prefix "$CLAUDE_CODE_PREFIX" --no-audit --no-fund --no-save --loglevel=error "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
  "$CLAUDE_CODE_PREFIX/node_modules/.bin/claude" --version
}
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ] && claude_code_present; then
  echo "system-deps: all present (${packages[*]}; Claude Code $CLAUDE_CODE_VERSION in $CLAUDE_CODE_PREFIX)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    echo "system-deps: installing needs root: re-running with sudo" >&2
    exec sudo -- bash "$0" "$@"
  fi
  needed="${missing[*]}"
  claude_code_present || needed="${needed:+$needed, }Claude Code $CLAUDE_CODE_VERSION"
  echo "system-deps: to install: $needed. That needs root, and sudo is not installed: run \`bash scripts/system-deps.sh\` as root" >&2
  exit 2
fi
if [ ${#missing[@]} -eq 0 ]; then
  install_claude_code
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${missing[*]} and no apt-get here: install them with your package manager" >&2
  exit 2
fi
policy_rc=/usr/sbin/policy-rc.d
if [ ! -e "$policy_rc" ]; then
  # "101: action forbidden": invoke-rc.d / deb-systemd-invoke then do not start the new services.
  printf '#!/bin/sh\n# written by coord-hooks scripts/system-deps.sh for the duration of apt-get install\nexit 101\n' >"$policy_rc"
  chmod 755 "$policy_rc"
  trap 'rm -f "$policy_rc"' EXIT
fi
echo "system-deps: installing ${missing[*]}"
apt-get update -qq
# gitolite3 asks (debconf) for an admin key; unanswered, it only creates its system user and sets up nothing.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_claude_code
