#!/usr/bin/env bash
# Installs every build and test dependency from Debian packages. Idempotent: safe to run
# on a machine that already has them (apt-get skips what is installed).
set -euo pipefail

packages=(
  build-essential cmake make pkg-config ccache
  libboost1.81-dev libssl-dev openssl
  nlohmann-json3-dev libyaml-cpp-dev libsimdjson-dev
  prometheus-cpp-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  python3 python3-yaml
  prometheus
)
# kubectl drives the e2e and manifest tests. A machine that already has one (a newer
# release from another source, say) keeps it; a fresh Debian 12 gets Debian's 1.20.
if ! command -v kubectl >/dev/null 2>&1; then
  packages+=(kubernetes-client)
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
