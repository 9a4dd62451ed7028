"""configs/flowrvs_mevis_24gb.py trains at toy size: text store from the tool, then
tools/train.py with the config's levers (store, bf16 DiT, bf16 VAE, fused AdamW, host EMA)."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_24gb_config_trains_from_a_tool_written_store(tiny_wan_dir, tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    root = str(tmp_path / 'synth')
    subprocess.run([sys.executable, 'tools/dataset_converters/make_synthetic_rvos.py', root,
                    '--num-train', '3', '--num-valid', '2', '--frames', '9-12', '--size',
                    '64x64', '--max-exps', '2'], cwd=REPO, env=env, check=True,
                   capture_output=True)
    store = str(tmp_path / 'store')
    cfg = tmp_path / 'toy_24gb.py'
    cfg.write_text(
        f"_base_ = {os.path.join(REPO, 'configs', 'flowrvs_mevis_24gb.py')!r}\n"
        f"model = dict(pretrained={tiny_wan_dir!r}, text_encoder=dict(max_length=16, "
        f"cache_dir={store!r}))\n"
        "train_pipeline = [dict(type='UniformSampleFrames', num_frames=5, mode='consecutive',"
        " short_video='repeat'), dict(type='LoadRVOSFrames'), dict(type='LoadRVOSMasks'),"
        " dict(type='ReferenceTrainResize', short_sizes=[32], max_size=64, crop_prob=0.0,"
        " size_divisor=16), dict(type='RVOSRandomFlip', prob=0.5), dict(type='PackRVOSInputs')]\n"
        f"train_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict("
        f"data_root={root!r}, anchor_stride=None, pipeline=train_pipeline))\n"
        f"val_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict("
        f"data_root={root!r}))\n"
        "test_dataloader = val_dataloader\n"
        "train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=3, "
        "val_interval=1000)\n"
        "default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, "
        "interval=3))\nlog_processor = dict(by_epoch=False, window_size=1)\n"
        "param_scheduler = []\nenv_cfg = dict(dist_cfg=dict(backend='gloo'))\n")
    tool = subprocess.run([sys.executable, 'tools/misc/cache_text_embeddings.py', str(cfg),
                           '--out', store, '--splits', 'train', 'valid_u'],  # it validates at the end
                          cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert tool.returncode == 0, tool.stderr[-3000:]
    assert 'prompts' in tool.stdout
    work = str(tmp_path / 'work')
    proc = subprocess.run([sys.executable, 'tools/train.py', str(cfg), '--work-dir', work],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    assert os.path.isfile(os.path.join(work, 'iter_3.pth'))
