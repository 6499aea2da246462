#!/usr/bin/env bash
# Installs what vs needs to build, test and run on Debian 12 (run as root or via sudo).
# nginx, openssl: the --notify and http input/upload tests; debootstrap:
# scripts/debian13.sh and scripts/container-check.sh; python3-yaml: the
# deploy/ YAML check.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev \
  librdkafka-dev libcjson-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev \
  libcmocka-dev clang libclang-rt-14-dev \
  ffmpeg kcat jq espeak-ng fonts-dejavu-core procps util-linux time python3 tmux \
  nginx openssl debootstrap python3-yaml >/dev/null
# Java and Maven for the tests against Apache Kafka (scripts/kafka.sh),
# unless this machine has them already.
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends maven default-jdk-headless >/dev/null
fi
# The dashboard's browser test (tests/integration/dash.sh): headless Chromium
# driven by playwright-core, installed into tests/browser/node_modules (not
# committed); the test skips when either is missing.
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
command -v npm >/dev/null &&
  (cd "$(dirname "$0")/../tests/browser" && npm install --no-audit --no-fund --loglevel=error) ||
  echo "install-deps: no npm: the dashboard's browser test will be skipped"
# The Kubernetes manifests' schema check (tests/deploy/validate_k8s.mjs):
# kubernetes-models and KEDA's models into tests/deploy/node_modules.
command -v npm >/dev/null &&
  (cd "$(dirname "$0")/../tests/deploy" && npm install --no-audit --no-fund --loglevel=error) ||
  echo "install-deps: no npm: the manifests' schema check will be skipped"
echo "install-deps: done"
