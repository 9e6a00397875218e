#!/usr/bin/env bash
# Debian packages the test suite needs beyond Node: git, ssh-keygen (signing), gpg (OpenPGP keys).
# Idempotent; run as root (CI and the dev machines are root). Skips what is already there.
set -euo pipefail
packages=(git openssh-client gnupg)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all present (${packages[*]})"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${missing[*]} and no apt-get here: install them with your package manager" >&2
  exit 2
fi
echo "system-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
