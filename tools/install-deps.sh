#!/usr/bin/env bash
# Installs what lcl needs to build and test on Debian 12 (run as root, or it uses sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake ninja-build pkg-config git ca-certificates \
  libzstd-dev liblzma-dev libxxhash-dev nlohmann-json3-dev libcli11-dev \
  libgtest-dev libgmock-dev libbenchmark-dev g++-aarch64-linux-gnu \
  clang libclang-rt-14-dev librsvg2-bin >/dev/null
