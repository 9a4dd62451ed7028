"""The compatibility fixes: applied only on request, each still needed and working."""
import json
import os
import subprocess
import sys

import mmengine
import pytest
import torch

from mmflowrvs.utils.compat import COMPAT_FIXES, apply_compat_patches

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Runs in a fresh process: ids of every attribute of the torch/mmengine modules (and
# of their classes) loaded before mmflowrvs, plus process-wide state, before and after
# importing mmflowrvs with all its subpackages, then after apply_compat_patches().
SNAPSHOT_SCRIPT = r'''
import json, os, sys, warnings
import numpy, torch, mmengine, mmengine.runner, mmengine.dist, mmengine.model, mmengine.logging
import mmcv, mmdet.models, diffusers, transformers  # third-party imports of the package

PREFIXES = ('torch', 'mmengine')
MODULES = sorted(n for n in sys.modules if n.split('.')[0] in PREFIXES)

def snapshot():
    state = {}
    for name in MODULES:
        module = sys.modules.get(name)
        for attr, value in list(vars(module).items()):
            state[f'{name}.{attr}'] = id(value)
            if isinstance(value, type) and value.__module__ == name:
                for key, member in list(vars(value).items()):
                    state[f'{name}.{attr}.{key}'] = id(member)
    state['torch.serialization safe globals'] = sorted(
        repr(g) for g in torch.serialization.get_safe_globals())
    state['os.environ'] = sorted(os.environ.items())
    state['warnings.filters'] = [repr(f) for f in warnings.filters]
    state['torch state'] = [str(torch.get_default_dtype()), torch.get_num_threads(),
                            torch.is_grad_enabled(),
                            torch.are_deterministic_algorithms_enabled()]
    return state

def diff(a, b):
    return sorted(k for k in a if k in b and a[k] != b[k])

before = snapshot()
import mmflowrvs
import mmflowrvs.apis, mmflowrvs.datasets, mmflowrvs.engine, mmflowrvs.evaluation
import mmflowrvs.models, mmflowrvs.structures, mmflowrvs.visualization, mmflowrvs.utils
after_import = snapshot()
from mmflowrvs.utils import apply_compat_patches
apply_compat_patches()
after_apply = snapshot()
print('SNAPSHOT ' + json.dumps(dict(import_changed=diff(before, after_import),
                                    apply_changed=diff(after_import, after_apply))))
'''

PROBE_SCRIPT = r'''
import json, sys
from mmflowrvs.utils.compat import COMPAT_FIXES, apply_compat_patches
skip = sys.argv[1:]
apply_compat_patches(skip=skip)
print('PROBES ' + json.dumps({f.name: f.probe() for f in COMPAT_FIXES
                              if not skip or f.name in skip}))
'''


def _run(script: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=REPO, CUDA_VISIBLE_DEVICES='')
    result = subprocess.run([sys.executable, '-c', script, *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = [ln for ln in result.stdout.splitlines() if ln.startswith(('SNAPSHOT ', 'PROBES '))]
    assert line, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(line[-1].split(' ', 1)[1])


def test_importing_mmflowrvs_changes_nothing_in_torch_or_mmengine():
    changed = _run(SNAPSHOT_SCRIPT)
    assert changed['import_changed'] == [], changed['import_changed']
    # the snapshot sees the fixes once they are applied (so it would see them on import)
    patched = set(changed['apply_changed'])
    for key in ['mmengine.dist.utils._init_dist_pytorch',
                'mmengine._strategy.fsdp.FSDPStrategy._init_state_dict_cfg',
                'mmengine.runner.runner.save_checkpoint',
                'mmengine.model.wrappers.distributed.MMDistributedDataParallel.__init__',
                'mmengine.logging.history_buffer.HistoryBuffer.__getstate__',
                'torch.serialization safe globals']:
        assert key in patched, (key, sorted(patched))


@pytest.mark.parametrize('fix', COMPAT_FIXES, ids=[f.name for f in COMPAT_FIXES])
def test_each_fix_is_still_needed(fix):
    """Fails when the pinned versions no longer show the bug: remove the fix then."""
    shows_bug = _run(PROBE_SCRIPT, fix.name)[fix.name]
    assert shows_bug, (f'compat fix {fix.name!r} is dead with torch {torch.__version__}, '
                       f'mmengine {mmengine.__version__} (it was for: {fix.needed_by}); '
                       'remove it from mmflowrvs/utils/compat.py')


def test_with_every_fix_applied_no_probe_shows_its_bug():
    assert _run(PROBE_SCRIPT) == {f.name: False for f in COMPAT_FIXES}


def test_each_fix_names_the_versions_that_need_it():
    names = [f.name for f in COMPAT_FIXES]
    assert len(set(names)) == len(names)
    for fix in COMPAT_FIXES:
        assert 'mmengine' in fix.needed_by or 'torch' in fix.needed_by, fix.name


def test_unknown_fix_names_are_refused():
    with pytest.raises(ValueError, match='unknown compat fixes'):
        apply_compat_patches(skip=['no_such_fix'])
