"""Peak memory and seconds per expression of three inference paths, video length by length.

Usage::

    python tools/analysis_tools/benchmark_inference.py CONFIG [CKPT] --frames 17,65,257,1025 \
        --size HxW --expressions K [--window W --overlap O] [--device cpu|cuda] \
        [--arch toy|medium] [--one-clip-max-frames N]

Paths: ``per-expression`` (the reference: each expression reloads, resizes and encodes
the whole video and runs it as one clip), ``video`` (video-level: one encode for all K
expressions, ``model.test_cfg.expression_batch`` at a time, one clip) and ``video+window``
(video-level with ``--window W --overlap O``). Each (path, frames) runs in a fresh
subprocess so that peaks are separate: peak RSS on CPU (``ru_maxrss``, the whole
process: Python, torch, the model, the frames), CUDA max allocated on a GPU. The
video is random RGB at ``--size``; the config's ``InferenceResize`` is set to that
size so frames are not resized. The masks of ``video`` are checked equal to
``per-expression``, and ``video+window`` equal to ``video`` where the video fits
in one window. ``--arch`` writes a randomly initialised Wan folder of that size
(``toy``: the tests' tiny Wan; ``medium``: an 8-layer, 256-wide DiT and a VAE of
base width 32) and uses it as ``model.pretrained``; without it the config's folder.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?')
    p.add_argument('--frames', default='17,65,257,1025')
    p.add_argument('--size', default='64x64', help='frame HxW')
    p.add_argument('--expressions', type=int, default=16)
    p.add_argument('--window', type=int, help='window frames W (4k + 1)')
    p.add_argument('--overlap', type=int, default=0)
    p.add_argument('--device', default='cpu')
    p.add_argument('--arch', choices=['toy', 'medium'])
    p.add_argument('--one-clip-max-frames', type=int, default=257,
                   help='longest video run by the one-clip paths (their cost grows fast)')
    p.add_argument('--cfg-options', nargs='+', default=[])
    p.add_argument('--child', nargs=3, metavar=('PATH', 'FRAMES', 'OUT'),
                   help=argparse.SUPPRESS)
    p.add_argument('--wan', help=argparse.SUPPRESS)
    return p.parse_args(argv)


MEDIUM = dict(transformer=dict(num_attention_heads=4, attention_head_dim=64, ffn_dim=1024,
                               num_layers=8), vae=dict(base_dim=32))


def make_folder(arch: str, out: str) -> str:
    from mmflowrvs.models.wan_architectures import TINY_WAN
    from mmflowrvs.utils.tiny_wan import make_tiny_wan
    spec = dict(TINY_WAN)
    if arch == 'medium':
        spec = dict(TINY_WAN, **{k: dict(TINY_WAN[k], **v) for k, v in MEDIUM.items()})
    return make_tiny_wan(out, seed=0, arch=spec)


def child(args: argparse.Namespace) -> None:
    """Runs one path on one video length; prints a JSON line, saves the masks."""
    import torch
    from mmengine.config import Config, DictAction  # noqa: F401
    from mmflowrvs.apis import inference_rvos, init_model
    from mmflowrvs.apis.inference import build_inference_pipeline
    path, t, out = args.child[0], int(args.child[1]), args.child[2]
    h, w = map(int, args.size.lower().split('x'))
    cfg = Config.fromfile(args.config)
    options = dict(kv.split('=', 1) for kv in args.cfg_options)
    if args.wan:
        options['model.pretrained'] = args.wan
    cfg.merge_from_dict({k: _value(v) for k, v in options.items()})
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset:
        dataset = dataset.dataset
    for step in dataset.pipeline:
        if step['type'].endswith('InferenceResize'):
            step['max_hw'] = (h, w)
    # without a checkpoint the decoder's output conv is freshly drawn: the same seed in
    # every subprocess, or their masks could not be compared
    torch.manual_seed(0)
    model = init_model(cfg, args.checkpoint, device=args.device)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(t)]
    prompts = [f'the {c} {s}' for c in ('red', 'green', 'blue', 'yellow')
               for s in ('circle', 'square', 'triangle', 'star')] * 4
    prompts = prompts[:args.expressions]
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    if path == 'per-expression':
        pipeline = build_inference_pipeline(model.cfg)
        masks = []
        for k, p in enumerate(prompts):  # the reference: the whole path per expression
            item = pipeline(dict(video_id='v', exp_id=str(k), expression=p, frames=frames,
                                 frame_ids=[f'{i:05d}' for i in range(t)]))
            data = model.data_preprocessor(dict(inputs=[item['inputs']],
                                                data_samples=[item['data_samples']]))
            with torch.no_grad():
                masks.append(model(**data, mode='predict')[0].pred_masks.numpy())
    else:
        window = dict(frames=args.window, overlap=args.overlap) if path == 'video+window' \
            else False
        masks = inference_rvos(model, frames, prompts, window=window)
    seconds = time.perf_counter() - start
    if args.device.startswith('cuda'):
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    np.savez_compressed(out, *[np.packbits(m) for m in masks])
    print(json.dumps(dict(peak_mb=peak, sec_per_exp=seconds / len(prompts))))


def _value(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def same_masks(a: str, b: str) -> bool:
    with np.load(a) as x, np.load(b) as y:
        return len(x.files) == len(y.files) and all(
            np.array_equal(x[k], y[k]) for k in x.files)


def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    tmp = tempfile.mkdtemp(prefix='bench_inference_')
    extra = []
    if args.arch:
        extra = ['--wan', make_folder(args.arch, os.path.join(tmp, 'wan'))]
    frames = [int(f) for f in args.frames.split(',')]
    paths = ['per-expression', 'video'] + (['video+window'] if args.window else [])
    base = [sys.executable, os.path.abspath(__file__), args.config] + \
        ([args.checkpoint] if args.checkpoint else []) + \
        ['--size', args.size, '--expressions', str(args.expressions), '--device', args.device,
         '--overlap', str(args.overlap)] + (['--window', str(args.window)] if args.window
                                            else []) + extra
    if args.cfg_options:
        base += ['--cfg-options', *args.cfg_options]
    rows = []
    for t in frames:
        files = {}
        for path in paths:
            if path != 'video+window' and t > args.one_clip_max_frames:
                rows.append((t, path, None, None, 'skipped (--one-clip-max-frames)'))
                continue
            files[path] = os.path.join(tmp, f'{path}_{t}.npz')
            proc = subprocess.run(base + ['--child', path, str(t), files[path]],
                                  capture_output=True, text=True)
            if proc.returncode:
                rows.append((t, path, None, None, 'failed: ' +
                             proc.stderr.strip().splitlines()[-1][:80]))
                files.pop(path)
                continue
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            note = ''
            if path == 'video' and 'per-expression' in files:
                note = 'masks == per-expression: ' + str(
                    same_masks(files['per-expression'], files[path]))
            if path == 'video+window' and 'video' in files and t <= args.window:
                note = 'fits one window; masks == video: ' + str(
                    same_masks(files['video'], files[path]))
            rows.append((t, path, res['peak_mb'], res['sec_per_exp'], note))
            print(f'{t} {path}: {res} {note}', flush=True)
    unit = 'CUDA max allocated' if args.device.startswith('cuda') else 'peak RSS'
    print(f'\n| frames | path | {unit} (MiB) | s / expression | expressions / s | note |')
    print('|---|---|---|---|---|---|')
    for t, path, peak, sec, note in rows:
        if peak is None:
            print(f'| {t} | {path} | - | - | - | {note} |')
        else:
            print(f'| {t} | {path} | {peak:.0f} | {sec:.3f} | {1 / sec:.2f} | {note} |')


if __name__ == '__main__':
    main()
