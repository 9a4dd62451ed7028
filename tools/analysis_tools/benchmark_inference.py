"""Peak memory and seconds per expression of three inference paths, video length by length.

Usage::

    python tools/analysis_tools/benchmark_inference.py CONFIG [CKPT] --frames 17,65,257,1025 \
        --size HxW --expressions K [--window W --overlap O] [--device cpu|cuda] \
        [--expression-batch 1,16] [--arch toy|medium] [--one-clip-max-frames N] [--repeat R]

Paths: ``per-expression`` (the reference: each expression goes through the test
pipeline, is normalised and encoded and runs the whole video as one clip), ``video``
(video-level: one chunked encode for all K expressions, ``expression_batch`` B of
them through the sampler and decoder at a time, one clip; one row per B of
``--expression-batch``) and ``video+window`` (video-level with ``--window W
--overlap O``, B the first of ``--expression-batch``). Each (path, frames) runs in a
fresh subprocess: on CPU the peak RSS of the inference call (the process's high-water
mark, reset through ``/proc/self/clear_refs`` once the model is loaded, so it counts
the model's weights and the frames but not the loading's own peak), on a GPU CUDA
max allocated. The video is random RGB at ``--size`` and the config's
``InferenceResize`` is set to that size (frames are not resized). The masks are
compared: ``video`` with B = 1 must equal ``per-expression`` bit for bit, a larger B
shows the share of pixels that rounding flipped, and ``video+window`` equals
``video`` where the video fits in one window. ``--repeat R`` runs each inference R
times in its process and reports the fastest (a shared machine's load only ever
slows a run down). ``--arch`` writes a randomly
initialised Wan folder of that size (``toy``: the tests' tiny Wan; ``medium``: an
8-layer, 256-wide DiT and a VAE of base width 32) and uses it as
``model.pretrained``; without it the config's folder.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

MEDIUM = dict(transformer=dict(num_attention_heads=4, attention_head_dim=64, ffn_dim=1024,
                               num_layers=8), vae=dict(base_dim=32))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?')
    p.add_argument('--frames', default='17,65,257,1025')
    p.add_argument('--size', default='64x64', help='frame HxW')
    p.add_argument('--expressions', type=int, default=16)
    p.add_argument('--expression-batch', default='1',
                   help='comma-separated expression batches of the video rows')
    p.add_argument('--window', type=int, help='window frames W (4k + 1)')
    p.add_argument('--overlap', type=int, default=0)
    p.add_argument('--device', default='cpu')
    p.add_argument('--arch', choices=['toy', 'medium'])
    p.add_argument('--one-clip-max-frames', type=int, default=257,
                   help='longest video run by the one-clip paths (their cost grows fast)')
    p.add_argument('--repeat', type=int, default=1,
                   help='runs of each inference; the fastest is reported')
    p.add_argument('--cfg-options', nargs='+', default=[])
    p.add_argument('--child', nargs=4, metavar=('PATH', 'FRAMES', 'BATCH', 'OUT'),
                   help=argparse.SUPPRESS)
    p.add_argument('--wan', help=argparse.SUPPRESS)
    return p.parse_args(argv)


def make_folder(arch: str, out: str) -> str:
    from mmflowrvs.testing import TINY_WAN, make_tiny_wan
    spec = dict(TINY_WAN)
    if arch == 'medium':
        spec = dict(TINY_WAN, **{k: dict(TINY_WAN[k], **v) for k, v in MEDIUM.items()})
    return make_tiny_wan(out, seed=0, arch=spec)


def _rss_mib(key: str) -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f'{key} not in /proc/self/status')


def _build(args: argparse.Namespace):
    """The model, with the test resize set to the frames' size."""
    import torch
    from mmengine.config import Config

    from mmflowrvs.apis import init_model
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
    return init_model(cfg, args.checkpoint, device=args.device), (h, w)


def child(args: argparse.Namespace) -> None:
    """Runs one path on one video length; prints a JSON line, saves the masks."""
    import torch
    path, t, batch, out = args.child[0], int(args.child[1]), int(args.child[2]), args.child[3]
    model, (h, w) = _build(args)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(t)]
    prompts = [f'the {c} {s}' for c in ('red', 'green', 'blue', 'yellow')
               for s in ('circle', 'square', 'triangle', 'star')] * 4
    prompts = prompts[:args.expressions]
    cuda = args.device.startswith('cuda')
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    else:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # resets VmHWM, the peak RSS, to the current RSS
    base = _rss_mib('VmRSS') if not cuda else torch.cuda.memory_allocated() / 2**20
    seconds = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        masks = _run_path(model, path, frames, prompts, batch, args)
        seconds.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() / 2**20 if cuda else _rss_mib('VmHWM')
    np.savez_compressed(out, *[np.packbits(m) for m in masks])
    print(json.dumps(dict(peak_mb=peak, base_mb=base, sec_per_exp=min(seconds) / len(prompts),
                          runs=[round(x / len(prompts), 3) for x in seconds])))


def _run_path(model, path: str, frames, prompts, batch: int, args) -> list:
    """One inference of all prompts on the video; the (T, H, W) bool masks."""
    import torch
    from mmengine.dataset import pseudo_collate

    from mmflowrvs.apis import inference_rvos
    from mmflowrvs.apis.inference import build_inference_pipeline
    if path == 'per-expression':
        pipeline = build_inference_pipeline(model.cfg)
        masks = []
        for k, p in enumerate(prompts):  # the reference: the whole path per expression
            item = pipeline(dict(video_id='v', exp_id=str(k), expression=p, frames=frames,
                                 frame_ids=[f'{i:05d}' for i in range(len(frames))]))
            data = model.data_preprocessor(pseudo_collate([item]))
            with torch.no_grad():
                masks.append(model(**data, mode='predict')[0].pred_masks.numpy())
        return masks
    window = dict(frames=args.window, overlap=args.overlap) if path == 'video+window' \
        else False
    return inference_rvos(model, frames, prompts, batch_size=batch, window=window)


def _value(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def differing_share(a: str, b: str) -> float:
    """Share of mask pixels that differ between two saved runs (1.0: not comparable)."""
    with np.load(a) as x, np.load(b) as y:
        if x.files != y.files:
            return 1.0
        diff = sum(int(np.unpackbits(x[k] ^ y[k]).sum()) for k in x.files)
        total = sum(x[k].size * 8 for k in x.files)
    return diff / total


def _compare(t, path, batch, files, args) -> str:
    ref = files.get(('per-expression', 1))
    if path == 'video' and ref:
        share = differing_share(ref, files[(path, batch)])
        return f'masks == per-expression: {share == 0}' + (
            f' ({share:.2e} of pixels differ)' if share else '')
    if path == 'video+window' and t <= args.window and ('video', batch) in files:
        share = differing_share(files[('video', batch)], files[(path, batch)])
        return f'fits one window; masks == video: {share == 0}'
    return ''


def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    tmp = tempfile.mkdtemp(prefix='bench_inference_')
    extra = ['--wan', make_folder(args.arch, os.path.join(tmp, 'wan'))] if args.arch else []
    batches = [int(b) for b in args.expression_batch.split(',')]
    runs = [('per-expression', 1)] + [('video', b) for b in batches] + \
        ([('video+window', batches[0])] if args.window else [])
    base = [sys.executable, os.path.abspath(__file__), args.config] + \
        ([args.checkpoint] if args.checkpoint else []) + \
        ['--size', args.size, '--expressions', str(args.expressions), '--device', args.device,
         '--overlap', str(args.overlap), '--repeat', str(args.repeat)] + \
        (['--window', str(args.window)] if args.window else []) + extra
    if args.cfg_options:
        base += ['--cfg-options', *args.cfg_options]
    rows = []
    for t in [int(f) for f in args.frames.split(',')]:
        files = {}
        for path, batch in runs:
            name = path if path == 'per-expression' else f'{path} (B={batch})'
            if path != 'video+window' and t > args.one_clip_max_frames:
                rows.append((t, name, None, None, None, 'skipped (--one-clip-max-frames)'))
                continue
            out = os.path.join(tmp, f'{path}_{batch}_{t}.npz')
            proc = subprocess.run(base + ['--child', path, str(t), str(batch), out],
                                  capture_output=True, text=True)
            if proc.returncode:
                last = (proc.stderr.strip().splitlines() or ['?'])[-1][:80]
                rows.append((t, name, None, None, None, 'failed: ' + last))
                continue
            files[(path, batch)] = out
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            note = _compare(t, path, batch, files, args)
            rows.append((t, name, res['peak_mb'], res['base_mb'], res['sec_per_exp'], note))
            print(f'{t} {name}: {res} {note}', flush=True)
    unit = 'CUDA max allocated' if args.device.startswith('cuda') else 'peak RSS'
    print(f'\n| frames | path | {unit} (MiB) | at start (MiB) | s / expression | '
          'expressions / s | note |')
    print('|---|---|---|---|---|---|---|')
    for t, name, peak, start, sec, note in rows:
        if peak is None:
            print(f'| {t} | {name} | - | - | - | - | {note} |')
        else:
            print(f'| {t} | {name} | {peak:.0f} | {start:.0f} | {sec:.3f} | {1 / sec:.3f} '
                  f'| {note} |')


if __name__ == '__main__':
    main()
