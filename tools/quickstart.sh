#!/usr/bin/env bash
# The README's main-job command: sets up this machine, then runs the built-in quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
python3 tools/quickstart.py "$@"
