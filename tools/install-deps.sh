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
  clang libclang-rt-14-dev librsvg2-bin \
  python3 python3-pip python3-setuptools python3-numpy python3-pytest python3-pybind11 pybind11-dev \
  python3-torch >/dev/null
