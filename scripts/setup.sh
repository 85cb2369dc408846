#!/usr/bin/env bash
# Installs the Debian packages mgdl-report needs. Idempotent: installs only what is missing.
# Usage: bash scripts/setup.sh        (as root, or as a user with sudo)
set -euo pipefail

PACKAGES=(libcairo2-dev libharfbuzz-dev libfreetype-dev libfontconfig-dev libopenblas-dev
          libxsmm-dev libfftw3-dev liblapacke-dev zlib1g-dev liblzma-dev liblbfgs-dev fonts-dejavu-core pkg-config
          libjs-katex fonts-katex libjs-lunr)   # math (KaTeX) and search (lunr), copied into the site

fail() { echo "setup: $*" >&2; exit 1; }

if ! command -v swift >/dev/null 2>&1; then
  fail "no Swift toolchain on PATH. Install Swift 5.10 or newer (https://www.swift.org/install/linux/) and run this again."
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  fail "this is not a Debian-like system (no dpkg/apt-get). Install the equivalents of: ${PACKAGES[*]}"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  fail "missing packages (${missing[*]}) and not root and no sudo: run 'apt-get install ${missing[*]}' as root."
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq || fail "apt-get update failed (network? permissions?)"
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || fail "apt-get install ${missing[*]} failed"
echo "setup: done"
