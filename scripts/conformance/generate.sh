#!/usr/bin/env bash
# Regenerates the conformance vectors in test/conformance/ with Python's `packaging` as the
# oracle. Needs the pyenv 3.11.7 interpreter (it has packaging 26.2); the tests themselves
# need no Python. Usage: npm run conformance
set -euo pipefail
cd "$(dirname "$0")/../.."
oracle="${WW_ORACLE_PYTHON:-$HOME/.pyenv/versions/3.11.7/bin/python}"
"$oracle" -c 'import packaging; print("oracle: packaging", packaging.__version__)'
for gen in scripts/conformance/gen_*.py; do
  echo "== $gen"
  "$oracle" "$gen"
done
