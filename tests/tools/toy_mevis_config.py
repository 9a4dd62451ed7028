"""A toy-size overlay of a real MeViS config (tiny Wan folder, synthetic data, clips of
5 frames at 32x32-64, a few iterations), written to a file for tools/train.py."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tool_env() -> dict:
    """Environment for running the tools as a user does (one thread per process)."""
    return dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')


def make_synthetic(root: str) -> str:
    """A 3-video training / 2-video valid_u synthetic set in the MeViS layout."""
    subprocess.run([sys.executable, 'tools/dataset_converters/make_synthetic_rvos.py', root,
                    '--num-train', '3', '--num-valid', '2', '--frames', '9-12', '--size',
                    '64x64', '--max-exps', '2'], cwd=REPO, env=tool_env(), check=True,
                   capture_output=True)
    return root


def write_toy_config(path, base: str, wan: str, data_root: str, iters: int = 3,
                     model_extra: str = '', extra: str = '') -> str:
    """Writes ``configs/<base>`` at toy size to ``path``; returns ``str(path)``.

    Args:
        model_extra (str): More keyword text for ``model = dict(...)``, e.g.
            ``"backbone=dict(dtype=None)"``; the text encoder gets ``max_length=16``
            unless ``model_extra`` sets ``text_encoder`` itself.
        extra (str): Config lines appended at the end.
    """
    model = f'pretrained={wan!r}, ' + (model_extra if 'text_encoder=' in model_extra else
                                      'text_encoder=dict(max_length=16), ' + model_extra)
    with open(path, 'w') as f:
        f.write(
            f"_base_ = {os.path.join(REPO, 'configs', base)!r}\n"
            f"model = dict({model.rstrip(', ')})\n"
            "train_pipeline = [dict(type='UniformSampleFrames', num_frames=5, "
            "mode='consecutive', short_video='repeat'), dict(type='LoadRVOSFrames'), "
            "dict(type='LoadRVOSMasks'), dict(type='ReferenceTrainResize', short_sizes=[32], "
            "max_size=64, crop_prob=0.0, size_divisor=16), dict(type='RVOSRandomFlip', "
            "prob=0.5), dict(type='PackRVOSInputs')]\n"
            "train_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict("
            f"data_root={data_root!r}, anchor_stride=None, pipeline=train_pipeline))\n"
            "val_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict("
            f"data_root={data_root!r}))\n"
            "test_dataloader = val_dataloader\n"
            "train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', "
            f"max_iters={iters}, val_interval=1000)\n"
            "default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, "
            f"interval={iters}))\n"
            "log_processor = dict(by_epoch=False, window_size=1)\n"
            "param_scheduler = []\nenv_cfg = dict(dist_cfg=dict(backend='gloo'))\n" + extra)
    return str(path)
