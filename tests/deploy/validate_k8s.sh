#!/usr/bin/env bash
# validate_k8s.sh SOURCE_DIR - runs validate_k8s.mjs; skips (77) only when
# node is missing. The models are installed by scripts/install-deps.sh
# (npm install in tests/deploy); without them the test fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
[[ -d $here/node_modules/kubernetes-models && -d $here/node_modules/@kubernetes-models/keda ]] || {
    echo "FAIL: tests/deploy/node_modules is missing: run scripts/install-deps.sh" \
         "(or npm install in tests/deploy)"
    exit 1
}
exec node "$here/validate_k8s.mjs" "${1:-.}"
