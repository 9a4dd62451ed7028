"""configs/flowrvs_mevis_24gb.py trains at toy size: text store from the tool, then
tools/train.py with the config's levers (store, bf16 DiT, bf16 VAE, fused AdamW, host EMA)."""
import os
import subprocess
import sys

from .toy_mevis_config import REPO, make_synthetic, tool_env, write_toy_config


def test_24gb_config_trains_from_a_tool_written_store(tiny_wan_dir, tmp_path):
    env = tool_env()
    root = make_synthetic(str(tmp_path / 'synth'))
    store = str(tmp_path / 'store')
    cfg = write_toy_config(tmp_path / 'toy_24gb.py', 'flowrvs_mevis_24gb.py', tiny_wan_dir,
                           root, model_extra=f'text_encoder=dict(max_length=16, '
                           f'cache_dir={store!r})')
    tool = subprocess.run([sys.executable, 'tools/misc/cache_text_embeddings.py', cfg,
                           # it validates at the end
                           '--out', store, '--splits', 'train', 'valid_u'],
                          cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert tool.returncode == 0, tool.stderr[-3000:]
    assert 'prompts' in tool.stdout
    work = str(tmp_path / 'work')
    proc = subprocess.run([sys.executable, 'tools/train.py', cfg, '--work-dir', work],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    assert os.path.isfile(os.path.join(work, 'iter_3.pth'))
