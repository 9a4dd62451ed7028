"""One Wan-folder check: the start-up check and the components' subfolder lookup agree."""
import os
import shutil

import pytest

from mmflowrvs.models.utils import load_wan_vae
from mmflowrvs.utils.wan_folder import check_wan_folder, wan_subfolder


def test_missing_subfolder_fails_alike_at_start_and_at_build(tiny_wan_dir, tmp_path):
    folder = str(tmp_path / 'wan')
    shutil.copytree(tiny_wan_dir, folder)
    check_wan_folder(folder)
    assert wan_subfolder(folder, 'vae') == os.path.join(folder, 'vae')
    os.remove(os.path.join(folder, 'vae', 'config.json'))
    with pytest.raises(FileNotFoundError, match='is missing vae/config.json') as at_start:
        check_wan_folder(folder)
    with pytest.raises(FileNotFoundError) as at_build:
        load_wan_vae(folder, 'vae')
    assert str(at_start.value) == str(at_build.value)
    check_wan_folder(folder, subfolders=('transformer', 'tokenizer'))
    with pytest.raises(FileNotFoundError, match='Wan folder not found'):
        wan_subfolder(str(tmp_path / 'nowhere'), 'vae')
    with pytest.raises(ValueError, match='set model.pretrained'):
        wan_subfolder(None, 'transformer')
