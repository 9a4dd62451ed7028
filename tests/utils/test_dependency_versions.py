"""The diffusers range is checked at import, with the range named."""
import importlib
import importlib.metadata
import os.path as osp
import sys

import pytest

from mmflowrvs.utils.dependency_versions import DIFFUSERS_RANGE, check_diffusers_version


@pytest.mark.parametrize('version', ['0.34.0', '0.33.1', '0.43.0', '1.0.0'])
def test_versions_outside_the_range_fail(version):
    with pytest.raises(ImportError, match=rf'diffusers>={DIFFUSERS_RANGE[0]},<'
                                          rf'{DIFFUSERS_RANGE[1]}.*found diffusers {version}'):
        check_diffusers_version(version)


@pytest.mark.parametrize('version', ['0.35.0', '0.42.1'])
def test_versions_inside_the_range_pass(version):
    check_diffusers_version(version)


def test_the_installed_version_passes_and_the_requirement_says_the_same_range():
    check_diffusers_version()
    low, high = DIFFUSERS_RANGE
    with open(osp.join(osp.dirname(__file__), '..', '..', 'requirements', 'runtime.txt')) as f:
        assert f'diffusers>={low},<{high}\n' in f.read()


def test_import_fails_with_an_old_diffusers(monkeypatch):
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, 'version',
                        lambda name: '0.34.0' if name == 'diffusers' else real(name))
    saved = {k: v for k, v in sys.modules.items() if k == 'mmflowrvs' or k.startswith('mmflowrvs.')}
    for k in saved:
        del sys.modules[k]
    try:
        with pytest.raises(ImportError, match='found diffusers 0.34.0'):
            importlib.import_module('mmflowrvs')
    finally:
        for k in [k for k in sys.modules if k == 'mmflowrvs' or k.startswith('mmflowrvs.')]:
            del sys.modules[k]
        sys.modules.update(saved)
