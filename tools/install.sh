#!/usr/bin/env bash
# Sets up a fresh CPU machine (Python 3.11) for mmflowrvs; idempotent and fast when done.
# torch: the local CPU build (never an unpinned torch, which pulls GBs of CUDA wheels).
# mmcv 2.1.0: built from source with compiled ops once (~15 min on 2 cores); pip caches the wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PIP_ROOT_USER_ACTION=ignore
PIP="$PY -m pip install --disable-pip-version-check -q"

have() { $PY - "$@" <<'PYEOF' 2>/dev/null
import importlib.metadata as m, sys
for spec in sys.argv[1:]:
    name, _, ver = spec.partition('==')
    v = m.version(name)
    if ver and v.split('+')[0] != ver:
        sys.exit(1)
PYEOF
}

have torch==2.13.0 || $PIP "torch==2.13.0"
# mmengine/mmcv use pkg_resources: setuptools<82 keeps it.
$PY -c "import setuptools, sys; v=int(setuptools.__version__.split('.')[0]); sys.exit(v>=82)" || $PIP "setuptools<82"
have mmengine==0.10.7 || $PIP "mmengine==0.10.7"
if ! $PY -c "import mmcv, mmcv.ops; assert mmcv.__version__=='2.1.0'" 2>/dev/null; then
  $PIP ninja wheel packaging "setuptools<82"
  echo "[install] building mmcv 2.1.0 with compiled ops (first time ~15 min; cached by pip after)"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} $PY -m pip install --disable-pip-version-check -q \
    --no-build-isolation "mmcv==2.1.0" "torch==2.13.0"
fi
$PIP -r requirements/runtime.txt -r requirements/tests.txt "torch==2.13.0" "setuptools<82"
$PIP --no-deps -e .
$PY -c "import mmflowrvs, mmcv.ops, mmdet, diffusers; print('[install] ok: mmflowrvs', mmflowrvs.__version__)"
