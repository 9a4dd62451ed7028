"""The built-in quickstart: FlowRVS end to end on a fresh CPU machine, nothing downloaded.

Stages (each runs the same tools/train.py / tools/test.py and configs a user runs):

0. a toy, randomly initialised diffusers-format Wan folder (tools/misc/make_tiny_wan.py
   --arch quickstart: a 4-layer, 128-wide DiT on 4x4 patches, a 4x VAE) and the synthetic
   referring-video benchmark in the MeViS layout (make_synthetic_rvos.py,
   the quickstart preset SYNTHETIC_DATA below);
1. VAE pre-training on the synthetic frames and masks: it stands in for Wan's own
   pre-training, which a random toy VAE lacks (configs/quickstart/vae-pretrain_*); the
   export writes the trained VAE's own per-channel latent mean / std into its config
   (what normalises the video latent z_v; Wan's values describe another latent space);
2. stage-1 mask-decoder fine-tuning (configs/quickstart/decoder-finetune_*);
3. FlowRVS training (configs/quickstart/flowrvs_tiny_synthetic.py; the frozen
   encoder's posteriors are cached, since the 9-frame training clips repeat);
4. testing on valid_u with tools/test.py: J, F, J&F, predictions in the MeViS layout
   and overlay videos of a few expressions;
5. grounding check: the same model scored with every expression swapped for another
   expression of the same video (a different target).

With ``--compare``, baselines are then trained and tested beside FlowRVS (the paper's
paradigm baselines at toy size, reusing stages 0-1, and the ReferFormer toy baseline;
tools/quickstart_compare.py lists them) and tools/eval_predictions.py writes one
side-by-side report to <work-dir>/compare/report.md. ``--compare-only`` adds the
comparison to a finished default run in --work-dir (its stages 0-5 are not rerun).

Usage: python tools/quickstart.py [--work-dir work_dirs/quickstart] [--data-root DIR]
           [--compare | --compare-only] [--compare-iters N] [--seed 0]

Every training stage runs with ``randomness.seed=SEED`` (without it MMEngine draws a
new seed for every run, written as ``seed:`` in each stage's log), so a rerun with the
same seed and the same library versions repeats the scores on CPU, and a change in them
points at the code rather than at the random draws.
"""
import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG = osp.join(REPO, 'configs', 'quickstart')
# The quickstart's preset of the synthetic benchmark: 9-frame videos of 64x64 (the
# model's working size; a training clip is the whole video, so its latents are cached),
# 1024 training videos of 2-3 shapes of radius 15-22 % of the frame that never overlap
# (three often do not fit: 744 of the 1024 videos have two), that travel 10-25 % of the
# free span over the 9 frames (the default, 45-70 %, moves them 2-4 pixels a frame, and
# the toy VAE folds 4 frames into one latent frame), no look-alike twins, and expressions
# that name the target's colour and/or shape. (The generator's defaults let shapes hide
# each other and add twins told apart by motion, motion, relations and groups: see the
# README.) How each choice scored: docs/quickstart_notes.md.
# --compare trains each baseline this many iterations (FlowRVS: its config's 4300) to fit
# the comparison in its time budget
COMPARE_ITERS = 2150
SYNTHETIC_DATA = ['--num-train', '1024', '--num-valid', '16', '--size', '64x64',
                  '--frames', '9-9', '--radius', '0.15-0.22', '--objects', '2-3',
                  '--ambiguous-ratio', '0', '--kinds', 'appearance', '--max-hidden', '0',
                  '--travel', '0.1-0.25']


def run(cmd, log_path):
    """Runs a command, teeing its output to a log; returns the output."""
    print('$ ' + ' '.join(cmd), flush=True)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''),
               HF_HUB_OFFLINE='1', TRANSFORMERS_VERBOSITY='error', DIFFUSERS_VERBOSITY='error',
               PYTHONWARNINGS='ignore')
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        log.write(proc.stdout)
    if proc.returncode:
        print(proc.stdout[-4000:])
        raise SystemExit(f'failed ({proc.returncode}): see {log_path}')
    return proc.stdout


def last_metrics(output):
    found = re.findall(r'J: ([\d.]+)\s+F: ([\d.]+)\s+J&F: ([\d.]+)', output)
    if not found:
        raise SystemExit('no J / F / J&F in the test output')
    j, f, jf = map(float, found[-1])
    return dict(J=j, F=f, JF=jf)


def latest(folder, pattern=r'(epoch|iter)_(\d+)\.pth'):
    ckpts = [(int(m.group(2)), n) for n in os.listdir(folder)
             if (m := re.fullmatch(pattern, n))]
    if not ckpts:
        raise SystemExit(f'no checkpoint in {folder}')
    return osp.join(folder, max(ckpts)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description='mmflowrvs built-in quickstart')
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--data-root', default='data/synthetic_rvos')
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--compare', action='store_true',
                      help='after the default stages, train the baselines and write one '
                           'side-by-side report (<work-dir>/compare/report.md)')
    mode.add_argument('--compare-only', action='store_true',
                      help='only the comparison, on a finished default run in --work-dir')
    parser.add_argument('--compare-iters', type=int, default=COMPARE_ITERS,
                        help='training iterations of each baseline (0: its config\'s own; '
                             f'default {COMPARE_ITERS}, for the time budget)')
    parser.add_argument('--seed', type=int, default=0,
                        help='randomness.seed of every training stage (recorded in '
                        'summary.json)')
    args = parser.parse_args()
    work = osp.abspath(args.work_dir)
    data = osp.abspath(args.data_root)
    os.makedirs(work, exist_ok=True)
    if args.compare_only:
        compare(work, data, args.compare_iters)
        return
    py = sys.executable
    times = {}
    t_all = time.time()

    def stage(name, fn):
        t = time.time()
        out = fn()
        times[name] = time.time() - t
        print(f'[quickstart] {name}: {times[name]:.0f} s', flush=True)
        return out

    wan_random, wan = osp.join(work, 'wan_random'), osp.join(work, 'wan_tiny')
    stage('toy Wan folder + synthetic data', lambda: (
        run([py, 'tools/misc/make_tiny_wan.py', wan_random, '--arch', 'quickstart'],
            osp.join(work, 'make_wan.log')),
        run([py, 'tools/dataset_converters/make_synthetic_rvos.py', data, *SYNTHETIC_DATA],
            osp.join(work, 'make_data.log'))))
    data_opt = [f'train_dataloader.dataset.data_root={data}',
                f'val_dataloader.dataset.data_root={data}',
                f'test_dataloader.dataset.data_root={data}']
    seed_opt = [f'randomness.seed={args.seed}']  # training stages only

    def vae():
        wd = osp.join(work, 'stage0_vae')
        run([py, 'tools/train.py', osp.join(CFG, 'vae-pretrain_tiny_synthetic.py'),
             '--work-dir', wd, '--cfg-options', f'model.pretrained={wan_random}', *data_opt,
             *seed_opt],
            osp.join(work, 'stage0_vae.log'))
        # with the trained VAE's own latent statistics (Wan's describe another latent space)
        run([py, 'tools/misc/export_wan_vae.py', wan_random, latest(wd), wan,
             '--latent-stats', osp.join(data, 'train', 'JPEGImages')],
            osp.join(work, 'export_vae.log'))
    stage('stage 0: VAE pre-training (stands for Wan pre-training)', vae)

    def decoder():
        wd = osp.join(work, 'stage1_decoder')
        out = run([py, 'tools/train.py', osp.join(CFG, 'decoder-finetune_tiny_synthetic.py'),
                   '--work-dir', wd, '--cfg-options', f'model.pretrained={wan}', *data_opt,
                   *seed_opt], osp.join(work, 'stage1_decoder.log'))
        # its validation decodes the ground-truth masks' latents: FlowRVS's ceiling
        return latest(wd), last_metrics(out)
    dec_ckpt, ceiling = stage('stage 1: mask-decoder fine-tuning', decoder)

    def flowrvs():
        wd = osp.join(work, 'stage2_flowrvs')
        run([py, 'tools/train.py', osp.join(CFG, 'flowrvs_tiny_synthetic.py'), '--work-dir', wd,
             '--cfg-options', f'model.pretrained={wan}', f'load_from={dec_ckpt}', *data_opt,
             *seed_opt],
            osp.join(work, 'stage2_flowrvs.log'))
        return latest(wd)
    ckpt = stage('stage 2: FlowRVS training', flowrvs)

    def test(config, extra, options, name):
        out = run([py, 'tools/test.py', osp.join(CFG, config), ckpt, '--work-dir',
                   osp.join(work, name), *extra, '--cfg-options', f'model.pretrained={wan}',
                   *options], osp.join(work, f'{name}.log'))
        return last_metrics(out)
    scores = stage('test on valid_u', lambda: test(
        'flowrvs_tiny_synthetic.py', ['--pred-dir', osp.join(work, 'predictions'),
                                      '--show-dir', 'overlays'], data_opt, 'test'))
    swapped = stage('grounding check (swapped expressions)', lambda: test(
        'flowrvs_tiny_synthetic_swapped-expressions.py', [],
        [f'test_dataloader.dataset.dataset.data_root={data}'], 'test_swapped'))
    total = time.time() - t_all
    summary = dict(scores=scores, swapped_expressions=swapped, decoder_ceiling=ceiling,
                   grounding_drop=scores['JF'] - swapped['JF'], seed=args.seed, seconds=times,
                   total_seconds=total, checkpoint=ckpt, decoder_checkpoint=dec_ckpt,
                   data_root=data)
    with open(osp.join(work, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print('\n[quickstart] synthetic valid_u:  J {J:.1f}  F {F:.1f}  J&F {JF:.1f}'.format(**scores))
    print('[quickstart] decoded ground-truth mask latents (the ceiling): J&F {JF:.1f}'.format(
        **ceiling))
    print('[quickstart] expressions swapped: J&F {JF:.1f} (drop {d:.1f} points)'.format(
        d=summary['grounding_drop'], **swapped))
    print(f'[quickstart] total {total / 60:.1f} min; predictions in {work}/predictions, '
          f'overlays under {work}/test/*/overlays, summary in {work}/summary.json')
    if args.compare:
        compare(work, data, args.compare_iters)


def compare(work: str, data: str, iters: int) -> None:
    """The baselines of tools/quickstart_compare.py beside the finished default run."""
    from quickstart_compare import compare as run_comparison
    run_comparison(work, data, iters or None, run=run, latest=latest,
                   last_metrics=last_metrics, cfg_dir=CFG)


if __name__ == '__main__':
    main()
