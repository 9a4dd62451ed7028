"""Peak memory and time of a real-size FlowRVS training step, per memory lever.

Usage:
    python tools/analysis_tools/benchmark_train_step.py CONFIG [--frames 17] \\
        [--size 480x832] [--steps 3] [--device cuda|cpu] [--levers plan straightforward ...]
        [--wan-folder DIR] [--mem-budget-gb 15]

The architecture is the config's at the real size (``--wan-folder``: a folder of
config files, default one written by ``make_tiny_wan(arch=WAN21_T2V_1_3B,
weights='none')``); parameters are built on the meta device and filled with random
values in place (nothing is written to disk). The text encoder is served by a
text-embedding store holding one random prompt embedding of the real width, so the
DiT sees (1, 256, 4096) conditioning through the store path. Every row runs in its own
process (clean peak memory): N optimizer steps of loss -> backward -> clip -> AdamW
-> EMA. A row whose weights, gradients, optimizer states and EMA shadow alone exceed
``--mem-budget-gb`` is not run; its predicted memory is printed instead.

FLOPs (GPU rows, for TFLOP/s and MFU) are counted from the architecture: per layer
and token, 2 x (4 d^2 self-attention + 2 d^2 + 2 d text_dim cross-attention
projections on the text side counted per text token + 2 d ffn) for the matmuls,
plus 4 N d (self-attention scores and values) and 4 L_text d (cross-attention);
training = 3 x forward (+1 forward with gradient checkpointing).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Dict

GIB = 1024 ** 3
TEXT_TOKENS = 20  # true token length of the stored random prompt (padded to max_length)
PROMPT = 'the monkey that jumps to the left'

# name -> (levers, description); a lever absent from a row is at its straightforward value
ROWS: Dict[str, tuple] = {
    'straightforward': ((), 'fp32 DiT, no checkpointing, fp32 VAE, for-loop AdamW, EMA each step'),
    'plan': (('ckpt', 'bf16', 'vae_bf16', 'fused', 'ema_host_k10'), 'the 24 GB plan'),
    'plan-ema-each-step': (('ckpt', 'bf16', 'vae_bf16', 'fused'),
                           'plan - fp32 EMA on the device, updated every step'),
    'plan-no-ema': (('ckpt', 'bf16', 'vae_bf16', 'fused', 'no_ema'),
                    'plan without the EMA shadow'),
    'plan-no-ema-no-ckpt': (('bf16', 'vae_bf16', 'fused', 'no_ema'),
                            'plan - no EMA, without gradient checkpointing'),
    'plan-no-ema-fp32-vae': (('ckpt', 'bf16', 'fused', 'no_ema'),
                             'plan - no EMA, VAE encoder in fp32'),
    'plan-no-ema-foreach': (('ckpt', 'bf16', 'vae_bf16', 'no_ema'),
                            'plan - no EMA, for-loop AdamW instead of fused'),
    'bf16-only': (('bf16',), 'straightforward + bf16 DiT (bf16 AdamW states)'),
    'ckpt-only': (('ckpt',), 'straightforward + gradient checkpointing'),
    # not a training step: N updates of the fp32 EMA shadow of the bf16 DiT
    'ema-update': (('bf16', 'ema_only'), 'one TrainableFP32EMA update of the bf16 DiT '
                   '(s/step = s per update; with interval k it runs every k-th step)'),
    'ema-update-host': (('bf16', 'ema_only', 'ema_host_k10'),
                        'ema-update with the shadow in host memory (the plan: every 10th step)'),
}
SAMPLE = 4096  # values per parameter tensor watched for bf16 updates lost to rounding


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--frames', type=int, nargs='+', default=[17])
    p.add_argument('--size', nargs='+', default=['480x832'], help='HxW, one per --frames '
                   'value or one for all')
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--device', default='cuda')
    p.add_argument('--levers', '--rows', dest='levers', nargs='+',
                   default=['straightforward', 'plan'], choices=list(ROWS),
                   help='rows to run: the straightforward path, the plan, the plan with '
                   'one lever undone, ... (see ROWS)')
    p.add_argument('--wan-folder', default=None)
    p.add_argument('--mem-budget-gb', type=float, default=15.0,
                   help='rows predicted above this are not run')
    p.add_argument('--mem-margin-gb', type=float, default=3.0,
                   help='CPU: before a row, wait (up to --max-wait-s) until the machine has '
                   'the row\'s predicted memory + this much available')
    p.add_argument('--max-wait-s', type=float, default=1800.0)
    p.add_argument('--peak-tflops', type=float, default=989.0,
                   help='accelerator bf16 dense peak for MFU (H100/H200 SXM: 989)')
    p.add_argument('--one-row', default=None, help=argparse.SUPPRESS)
    p.add_argument('--clip', default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def arch_numbers(wan: str) -> dict:
    with open(os.path.join(wan, 'transformer', 'config.json')) as f:
        t = json.load(f)
    d = t['num_attention_heads'] * t['attention_head_dim']
    from accelerate import init_empty_weights
    from diffusers import WanTransformer3DModel
    with init_empty_weights():  # exact count, nothing allocated
        dit = sum(p.numel() for p in WanTransformer3DModel.from_config(t).parameters())
    return dict(d=d, layers=t['num_layers'], ffn=t['ffn_dim'], text_dim=t['text_dim'],
                patch=t['patch_size'], dit_params=dit)


def train_flops(a: dict, tokens: int, text_len: int, ckpt: bool) -> float:
    d, L = a['d'], a['layers']
    per_token = 2 * (4 * d * d + 2 * d * d + 2 * d * a['ffn']) + 4 * tokens * d + 4 * text_len * d
    fwd = L * (tokens * per_token + text_len * 2 * 2 * d * d)
    return fwd * (4 if ckpt else 3)


def predicted_static_gb(levers, params: float, gpu: bool = False) -> float:
    """Weights + gradients + AdamW states (the parameters' dtype) + fp32 EMA shadow
    (on a GPU, a shadow kept in host memory is not counted)."""
    w = 2 if 'bf16' in levers else 4
    ema = 0 if 'no_ema' in levers or (gpu and 'ema_host_k10' in levers) else 4
    if 'ema_only' in levers:
        return params * (w + ema) / GIB + 0.6
    return params * (w + w + 2 * w + ema) / GIB + 0.6  # + VAE enc/dec (fp32) and runtime


def wait_for_memory(need_gb: float, margin_gb: float, max_wait_s: float) -> bool:
    """On a shared CPU machine: waits until MemAvailable >= need + margin."""
    deadline = time.time() + max_wait_s
    while True:
        with open('/proc/meminfo') as f:
            avail = next(int(ln.split()[1]) for ln in f if ln.startswith('MemAvailable'))
        if avail * 1024 / GIB >= need_gb + margin_gb:
            return True
        if time.time() > deadline:
            return False
        time.sleep(30)


def ema_update_row(args, model, device) -> dict:
    """Times ``TrainableFP32EMA.update_parameters`` on the DiT alone (no step)."""
    import torch

    from mmflowrvs.engine.trainable_ema import TrainableFP32EMA
    dit = model.backbone
    host = 'ema_host_k10' in ROWS[args.one_row][0]
    ema = TrainableFP32EMA(dit, momentum=1e-4, decay_warmup=True,
                           device=torch.device('cpu') if host else None)
    ema.update_parameters(dit)  # the first update copies
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        ema.update_parameters(dit)
        if device.type == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    out = dict(row=args.one_row, clip='-', tokens=0, sec=sum(times) / len(times),
               first=times[0], loss=float('nan'),
               rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB,
               trainable=sum(p.numel() for p in dit.parameters() if p.requires_grad))
    if device.type == 'cuda':
        out.update(alloc_gb=torch.cuda.max_memory_allocated() / GIB,
                   reserved_gb=torch.cuda.max_memory_reserved() / GIB)
    return out


def lost_update_share(before, grads, params) -> float:
    """Share of the watched values with a nonzero gradient that the optimizer step left
    unchanged (AdamW moves every such value: these updates were lost to rounding)."""
    lost = total = 0
    for b, g, p in zip(before, grads, params):
        moved = g != 0
        lost += int((moved & (b == p.detach().flatten()[:SAMPLE])).sum())
        total += int(moved.sum())
    return lost / max(total, 1)


def make_store(cfg, out: str) -> str:
    import torch

    from mmflowrvs.models.text_encoders import UMT5TextEncoder
    from mmflowrvs.models.text_encoders.embedding_store import (
        ShardWriter,
        encoder_fingerprint,
        write_index,
    )
    from mmflowrvs.models.utils import to_dtype
    from mmflowrvs.utils.wan_folder import wan_subfolder
    te = cfg.model.text_encoder
    dtype = to_dtype(te.get('dtype')) or torch.float32
    fp = encoder_fingerprint(wan_subfolder(cfg.model.pretrained, 'text_encoder'),
                             wan_subfolder(cfg.model.pretrained, 'tokenizer'),
                             te.get('max_length', 256), dtype)
    with open(os.path.join(cfg.model.pretrained, 'text_encoder', 'config.json')) as f:
        dim = json.load(f)['d_model']
    writer = ShardWriter(out, 'r00000')
    writer.add(UMT5TextEncoder.clean_prompts([PROMPT])[0],
               torch.randn(TEXT_TOKENS, dim).to(dtype))
    writer.flush()
    write_index(out, fp, dim, dtype, [writer.entries])
    return out


def materialize(model, device) -> None:
    """Replaces meta parameters with random tensors in place (fast, no init code)."""
    import torch
    done = {}
    for mod in model.modules():
        for name, p in list(mod._parameters.items()):
            if p is None or not p.is_meta:
                continue
            if id(p) not in done:
                t = torch.empty(p.shape, dtype=p.dtype, device=device)
                t.uniform_(-0.03, 0.03) if p.dim() > 1 else t.fill_(1.0 if 'norm' in name
                                                                    else 0.0)
                done[id(p)] = torch.nn.Parameter(t, requires_grad=p.requires_grad)
            mod._parameters[name] = done[id(p)]


def run_row(args) -> dict:
    import torch
    from accelerate import init_empty_weights
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmflowrvs.models  # noqa: F401 (the model registry alone: no dataset dependencies)
    from mmflowrvs.engine.trainable_ema import TrainableFP32EMA
    from mmflowrvs.registry import MODELS
    from mmflowrvs.structures import RVOSDataSample
    init_default_scope('mmflowrvs')
    levers = ROWS[args.one_row][0]
    frames, hw = args.clip.split('x', 1)
    t, (h, w) = int(frames), map(int, hw.split('x'))
    cfg = Config.fromfile(args.config)
    m = cfg.model
    m.pretrained = args.wan_folder
    m.backbone.update(load_weights=False, gradient_checkpointing='ckpt' in levers,
                      dtype='bf16' if 'bf16' in levers else None)
    m.vae.update(load_weights=False, dtype='bf16' if 'vae_bf16' in levers else None,
                 cache_size=0)
    m.mask_decoder.update(load_weights=False)
    m.text_encoder.pop('cache_fallback', None)
    m.text_encoder.cache_dir = make_store(cfg, tempfile.mkdtemp(prefix='bench_store_'))
    device = torch.device(args.device)
    with init_empty_weights(include_buffers=False):
        model = MODELS.build(m)
    materialize(model, device)
    model.to(device)
    if 'ema_only' in levers:
        return ema_update_row(args, model, device)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=5e-5, weight_decay=5e-4,
                            **(dict(fused=True) if 'fused' in levers else dict(foreach=False)))
    ema = None
    if 'no_ema' not in levers:
        k = 10 if 'ema_host_k10' in levers else 1
        ema = TrainableFP32EMA(model, momentum=1e-4, interval=k,
                               device=torch.device('cpu') if 'ema_host_k10' in levers else None)
    g = torch.Generator().manual_seed(0)
    inputs = (torch.rand(1, 3, t, h, w, generator=g) * 2 - 1).to(device)
    sample = RVOSDataSample(metainfo=dict(expression=PROMPT, img_shape=(h, w), num_frames=t))
    sample.gt_masks = torch.rand(t, h, w, generator=g) > 0.5
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    times = []
    for step in range(args.steps):
        if step == args.steps - 1:  # watch a few values of every tensor in the last step
            before = [p.detach().flatten()[:SAMPLE].clone() for p in params]
        if device.type == 'cuda':
            torch.cuda.synchronize()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = sum(v for v in model.loss(inputs, [sample]).values() if v.requires_grad)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        if step == args.steps - 1:
            grads = [p.grad.detach().flatten()[:SAMPLE].clone() if p.grad is not None
                     else torch.zeros_like(b) for p, b in zip(params, before)]
        opt.step()
        if ema is not None:
            ema.update_parameters(model)
        if device.type == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    a = arch_numbers(args.wan_folder)
    tokens = (1 + (t - 1) // 4) * (h // 8 // a['patch'][1]) * (w // 8 // a['patch'][2])
    sec = sum(times[1:]) / max(len(times) - 1, 1)  # the first step warms up
    out = dict(row=args.one_row, clip=args.clip, tokens=tokens, sec=sec, first=times[0],
               rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB,
               loss=float(loss), trainable=sum(p.numel() for p in params),
               unchanged=lost_update_share(before, grads, params))
    if device.type == 'cuda':
        out.update(alloc_gb=torch.cuda.max_memory_allocated() / GIB,
                   reserved_gb=torch.cuda.max_memory_reserved() / GIB,
                   tflops=train_flops(a, tokens, m.text_encoder.get('max_length', 256),
                                      'ckpt' in levers) / sec / 1e12)
        out['mfu'] = out['tflops'] / args.peak_tflops
    return out


def main() -> None:
    args = parse_args()
    if args.one_row:
        print('ROW ' + json.dumps(run_row(args)))
        return
    if args.wan_folder is None:
        from mmflowrvs.testing import WAN21_T2V_1_3B, make_tiny_wan
        args.wan_folder = make_tiny_wan(tempfile.mkdtemp(prefix='wan_real_'),
                                        arch=WAN21_T2V_1_3B, weights='none')
    sizes = args.size * len(args.frames) if len(args.size) == 1 else args.size
    clips = [f'{t}x{s}' for t, s in zip(args.frames, sizes)]
    params = arch_numbers(args.wan_folder)['dit_params']
    gpu = args.device.startswith('cuda')
    head = ['row', 'clip TxHxW', 'tokens', 'peak alloc/res GB' if gpu else 'peak RSS GB',
            'static GB', 's/step', 'tokens/s'] + (['TFLOP/s', 'MFU'] if gpu else []) + [
            'lost updates']
    print(f'DiT parameters (from the architecture): {params / 1e9:.3f} B; steps per row: '
          f'{args.steps} (time: mean after the first); device {args.device}; static GB: '
          'weights + grads + AdamW states + EMA shadow, predicted; lost updates: share of '
          f'watched values ({SAMPLE} per tensor) with a nonzero gradient that the last '
          'optimizer step left unchanged (rounding)')
    print('| ' + ' | '.join(head) + ' |\n|' + '---|' * len(head))
    measured: Dict[str, dict] = {}
    for i, clip in enumerate(clips):
        for row in args.levers:
            levers = ROWS[row][0]
            if 'ema_only' in levers and i:  # does not depend on the clip
                continue
            pred = predicted_static_gb(levers, params, gpu)
            need = pred
            base = measured.get(f'plan-no-ema@{clip}')
            if row == 'plan-ema-each-step' or (row == 'plan' and not gpu):
                if base:  # the EMA shadow on top of the measured row without it
                    need = base['rss_gb' if not gpu else 'alloc_gb'] + params * 4 / GIB
            cells = [row, clip if 'ema_only' not in levers else '-']
            if need > args.mem_budget_gb:
                print('| ' + ' | '.join(cells + ['', f'does not fit (predicted {need:.1f})',
                                                 f'{pred:.1f}'] + [''] * (len(head) - 5))
                      + ' |', flush=True)
                continue
            if not gpu and not wait_for_memory(need + 1.5, args.mem_margin_gb,
                                               args.max_wait_s):
                print('| ' + ' | '.join(cells + ['', 'not run (machine memory in use)']
                                        + [''] * (len(head) - 4)) + ' |', flush=True)
                continue
            cmd = [sys.executable, os.path.abspath(__file__), args.config, '--one-row', row,
                   '--clip', clip, '--steps', str(args.steps), '--device', args.device,
                   '--wan-folder', args.wan_folder, '--peak-tflops', str(args.peak_tflops)]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('ROW ')]
            if proc.returncode or not lines:
                err = (proc.stderr.strip().splitlines() or [''])[-1]
                print('| ' + ' | '.join(cells + ['', f'failed (rc {proc.returncode}): {err}']
                                        + [''] * (len(head) - 4)) + ' |', flush=True)
                continue
            r = json.loads(lines[-1][4:])
            measured[f'{row}@{clip}'] = r
            mem = (f"{r['alloc_gb']:.1f} / {r['reserved_gb']:.1f}" if gpu
                   else f"{r['rss_gb']:.1f}")
            cells += [str(r['tokens'] or '-'), mem, f'{pred:.1f}', f"{r['sec']:.3g}",
                      f"{r['tokens'] / r['sec']:.3g}" if r['tokens'] else '-']
            if gpu:
                cells += ([f"{r['tflops']:.0f}", f"{100 * r['mfu']:.1f} %"] if 'tflops' in r
                          else ['-', '-'])
            cells.append(f"{100 * r['unchanged']:.1f} %" if 'unchanged' in r else '-')
            print('| ' + ' | '.join(cells) + ' |', flush=True)
    print('\nrows: ' + '; '.join(f'{k}: {ROWS[k][1]}' for k in args.levers))


if __name__ == '__main__':
    main()
