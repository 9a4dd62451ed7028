#!/usr/bin/env bash
# Sets up this machine (tools/install.sh) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error DIFFUSERS_VERBOSITY=error
python3 -m pytest -q -n "${PYTEST_WORKERS:-2}" -p no:cacheprovider tests "$@"
