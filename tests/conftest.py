"""Shared fixtures: a tiny diffusers-format Wan folder and a tiny RoBERTa folder, made once
per test session."""
import os

import pytest
import torch

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TRANSFORMERS_VERBOSITY', 'error')
os.environ.setdefault('DIFFUSERS_VERBOSITY', 'error')


@pytest.fixture(scope='session')
def tiny_wan_dir(tmp_path_factory) -> str:
    """A randomly initialised toy Wan 2.1 folder written with ``save_pretrained``."""
    from mmflowrvs.testing import make_tiny_wan
    return make_tiny_wan(str(tmp_path_factory.mktemp('tiny_wan')), seed=0)


@pytest.fixture(scope='session')
def tiny_roberta_dir(tmp_path_factory) -> str:
    """A randomly initialised toy RoBERTa folder (model + offline byte-level BPE)."""
    from mmflowrvs.testing import make_tiny_roberta
    return make_tiny_roberta(str(tmp_path_factory.mktemp('tiny_roberta')), seed=0)


@pytest.fixture(autouse=True)
def _seed_and_scope():
    torch.manual_seed(0)
    from mmflowrvs.utils import register_all_modules
    register_all_modules()
    yield
