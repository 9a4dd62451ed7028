"""tools/misc/export_wan_vae.py: the VAE export and its latent statistics."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load_tool():
    path = os.path.join(REPO, 'tools', 'misc', 'export_wan_vae.py')
    spec = importlib.util.spec_from_file_location('export_wan_vae', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_tool = _load_tool()
folder_latent_stats = _tool.folder_latent_stats
read_frame_folder = _tool.read_frame_folder
video_latent_stats = _tool.video_latent_stats


def _write_video(folder, frames, size=(36, 40)):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(len(os.listdir(os.path.dirname(folder))))
    for i in range(frames):
        img = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
        Image.fromarray(img).save(os.path.join(folder, f'{i:05d}.png'))


def test_read_frame_folder_crops_and_keeps_1_plus_4k_frames(tmp_path):
    _write_video(str(tmp_path / 'v'), frames=7)
    clip = read_frame_folder(str(tmp_path / 'v'), temporal_ratio=4)
    assert clip.shape == (3, 5, 32, 32)  # 7 -> 5 frames, 36x40 -> 32x32
    assert clip.min() >= -1 and clip.max() <= 1
    first = np.array(Image.open(tmp_path / 'v' / '00000.png'))[:32, :32]
    assert torch.allclose(clip[:, 0], torch.from_numpy(first).permute(2, 0, 1) / 127.5 - 1)


def test_stats_equal_those_of_the_posterior_means(tiny_wan_dir, tmp_path):
    from diffusers import AutoencoderKLWan
    vae = AutoencoderKLWan.from_pretrained(os.path.join(tiny_wan_dir, 'vae'))
    clips = [torch.rand(3, 5, 32, 32) * 2 - 1 for _ in range(3)]
    mean, std = video_latent_stats(vae, clips)
    with torch.no_grad():
        z = torch.cat([vae.encode(c[None]).latent_dist.mean for c in clips])  # (3, C, T', h, w)
    flat = z.transpose(0, 1).reshape(z.shape[1], -1)
    assert np.allclose(mean, flat.mean(1).numpy(), atol=1e-4)
    assert np.allclose(std, flat.std(1, unbiased=False).numpy(), atol=1e-4)


def test_bad_folders_are_named(tmp_path):
    with pytest.raises(ValueError, match='not a folder'):
        folder_latent_stats(None, str(tmp_path / 'missing'), 4, 4)
    (tmp_path / 'empty' / 'v0').mkdir(parents=True)
    with pytest.raises(ValueError, match='v0: no frame images'):
        folder_latent_stats(None, str(tmp_path / 'empty'), 4, 4)
    bad = tmp_path / 'bad' / 'v0'
    bad.mkdir(parents=True)
    (bad / '00000.jpg').write_bytes(b'not a jpeg')
    with pytest.raises(ValueError, match='00000.jpg: cannot be decoded'):
        read_frame_folder(str(bad), 4)


def test_export_writes_the_stats_into_the_vae_config(tiny_wan_dir, tmp_path):
    import json

    from mmflowrvs.models.detectors import WanVAEPretrainer
    model = WanVAEPretrainer(pretrained=tiny_wan_dir)
    ckpt = str(tmp_path / 'vae.pth')
    torch.save({'state_dict': model.state_dict()}, ckpt)
    frames = tmp_path / 'JPEGImages'
    for v in range(2):
        _write_video(str(frames / f'v{v}'), frames=5, size=(32, 32))
    out = str(tmp_path / 'wan_out')
    subprocess.run([sys.executable, 'tools/misc/export_wan_vae.py', tiny_wan_dir, ckpt, out,
                    '--latent-stats', str(frames)], cwd=REPO, check=True, capture_output=True)
    with open(os.path.join(out, 'vae', 'config.json')) as f:
        config = json.load(f)
    clips = [read_frame_folder(str(frames / f'v{v}'), 4) for v in range(2)]
    mean, std = video_latent_stats(model.vae, clips)
    assert np.allclose(config['latents_mean'], mean, atol=1e-3)
    assert np.allclose(config['latents_std'], std, atol=1e-3)
    with open(os.path.join(tiny_wan_dir, 'vae', 'config.json')) as f:
        assert json.load(f)['latents_std'] != config['latents_std']
    # a bad frames folder fails with its path named, before anything is written
    out2 = str(tmp_path / 'wan_out2')
    result = subprocess.run([sys.executable, 'tools/misc/export_wan_vae.py', tiny_wan_dir, ckpt,
                             out2, '--latent-stats', str(tmp_path / 'nowhere')], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode != 0 and 'nowhere: not a folder' in result.stderr
    assert not os.path.exists(out2)
