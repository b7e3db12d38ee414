#!/usr/bin/env bash
# The main job: set up, then evaluate the shipped example tender, print the ranking and write the report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
exec commonweal demo "$@"
