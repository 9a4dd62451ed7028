"""Fixtures of tests/datasets: tiny official-format datasets in a temp folder."""
import os.path as osp
import sys

import pytest

sys.path.insert(0, osp.dirname(__file__))

from rvos_fixtures import make_davis, make_mevis, make_ytvos  # noqa: E402


@pytest.fixture
def mevis(tmp_path):
    """(data_root, expected masks per anno_id) of a tiny MeViS train split."""
    root = str(tmp_path / 'mevis')
    return root, make_mevis(root)


@pytest.fixture
def ytvos(tmp_path):
    """(data_root, id maps per frame stem of train video v1)."""
    root = str(tmp_path / 'ref-youtube-vos')
    return root, make_ytvos(root)


@pytest.fixture
def davis(tmp_path):
    """(DAVIS root, text root, id maps per (video, stem))."""
    d, t = str(tmp_path / 'DAVIS'), str(tmp_path / 'text')
    return d, t, make_davis(d, t)
