"""``tools/quickstart.py --compare``: baselines trained beside FlowRVS, one report.

After the quickstart's own stages, each entry of :data:`BASELINES` is trained and
tested with the same tools/train.py / tools/test.py (the FlowRVS-family entries
reuse stage 0's VAE and stage 1's decoder), scored with every expression swapped
(the grounding check), and counted (tools/analysis_tools/count_parameters.py).
tools/eval_predictions.py then scores every method's prediction folder side by
side, with the row of a method that predicts nothing (``--empty-baseline``) and
J&F per kind of expression, into ``<work>/compare/report.md``.

A baseline is one :class:`Baseline` entry: its config under configs/quickstart/,
its ``--cfg-options`` and any commands that prepare its inputs; ``{wan}``,
``{decoder}``, ``{work}`` and ``{data}`` in them stand for the quickstart's toy
Wan folder, stage-1 checkpoint, work dir and data root.

A baseline already trained and tested in ``<work>/compare/<config>/`` with the same
config, options and iterations (its ``result.json``) is reused, so adding a baseline
to :data:`BASELINES` and rerunning ``--compare-only`` trains only the new one.
"""
import hashlib
import json
import os
import os.path as osp
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

FLOWRVS_NAME = 'FlowRVS (velocity, 1 step)'


@dataclass(frozen=True)
class Baseline:
    """One method of the comparison.

    Attributes:
        name (str): its row in the report.
        config (str): config file under configs/quickstart/.
        options (tuple[str]): ``--cfg-options`` for training, testing and counting.
        prepare (tuple[tuple[str]]): commands (``python`` scripts and arguments)
            run once before training.
        uses_stages_0_1 (bool): trained on stage 0's VAE and stage 1's decoder
            (their time is shared with FlowRVS and counted in its row only).
        note (str): one line in the report saying what it is.
        own_schedule (bool): trained its config's own iterations, whatever
            ``--compare-iters`` says (a schedule already sized for the budget).
    """
    name: str
    config: str
    options: Tuple[str, ...] = ()
    prepare: Tuple[Tuple[str, ...], ...] = ()
    uses_stages_0_1: bool = True
    note: str = ''
    own_schedule: bool = False


_FLOW = ('model.pretrained={wan}', 'load_from={decoder}')
BASELINES: List[Baseline] = [
    Baseline('mask prediction (1 step)', 'flowrvs_tiny_synthetic_mask-prediction.py', _FLOW,
             note='the quickstart model with only the target changed: the DiT regresses '
                  'the mask latent, z_m = f(z_v, 1000); DVI and SPA kept, so it pairs with '
                  'the FlowRVS row (the paper\'s single-step mask vs velocity prediction, '
                  'MeViS valid_u 38.9 vs 50.8, both without DVI and SPA)'),
    Baseline('noise-to-mask (10 steps)', 'flowrvs_tiny_synthetic_noise-to-mask.py', _FLOW,
             note='the same DiT as a flow from Gaussian noise to the mask latent, the video '
                  'given by DVI, uniform training times, 10 Euler steps (paper: noise-to-mask '
                  'multi-step flow, MeViS valid_u 32.3)'),
    Baseline('ReferFormer (toy)', 'referformer_tiny_synthetic.py',
             ('model.text_encoder.pretrained={work}/roberta_tiny', ),
             prepare=(('tools/misc/make_tiny_roberta.py', '{work}/roberta_tiny'), ),
             uses_stages_0_1=False, own_schedule=True,
             note='the discriminative baseline (docs/referformer.md): mmdet ResNet-18 (16 base '
                  'channels), deformable DETR encoder / decoder, a tiny random RoBERTa, 5 '
                  'queries, dynamic mask head, trained from scratch for its config\'s 600 '
                  'iterations'),
]


def iteration_options(config: str, iters: int) -> List[str]:
    """``--cfg-options`` that shorten ``config``'s schedule (a warm-up, then cosine
    annealing) to ``iters`` iterations, the checkpoint written at the end; the
    warm-up keeps its length, or half of ``iters`` if that is shorter."""
    from mmengine.config import Config
    warmup = min(Config.fromfile(config).param_scheduler[0]['end'], iters // 2)
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_begin={iters + 1}',
            f'param_scheduler.0.end={warmup}', f'param_scheduler.1.begin={warmup}',
            f'param_scheduler.1.end={iters}', f'default_hooks.checkpoint.interval={iters}']


def swapped_config(config: str, path: str) -> str:
    """Writes a config that tests ``config`` with every expression swapped for
    another expression of the same video with a different target (the wrapper swaps
    per expression, so its dataset is not video-level)."""
    with open(path, 'w') as f:
        f.write(f'_base_ = {config!r}\n'
                'test_dataloader = dict(dataset=dict(\n'
                "    _delete_=True, type='ExpressionSwapDataset', seed=0,\n"
                "    dataset={**_base_.test_dataloader.dataset, 'video_level': False}))\n")
    return path


def _fill(items: Sequence[str], values: Dict[str, Optional[str]]) -> List[str]:
    missing = sorted(k for k, v in values.items() if v is None
                     and any(f'{{{k}}}' in item for item in items))
    if missing:
        raise SystemExit(f'{" ".join(items)} needs {", ".join(missing)}, which the finished '
                         'quickstart run does not have')
    return [item.format(**values) for item in items]


def _fingerprint(config: str, train_opts: List[str], options: List[str]) -> str:
    """What a baseline's result depends on: its resolved config and command options."""
    from mmengine.config import Config
    text = '\n'.join([Config.fromfile(config).pretty_text, *train_opts, '--', *options])
    return hashlib.sha256(text.encode()).hexdigest()


def _reused(path: str, fingerprint: str) -> Optional[dict]:
    """The result saved at ``path`` when it was made with ``fingerprint``."""
    if not osp.isfile(path):
        return None
    with open(path) as f:
        saved = json.load(f)
    return saved if saved.get('fingerprint') == fingerprint else None


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f'{one:.1f}/{five:.1f}'


def run_baselines(run: Callable, latest: Callable, last_metrics: Callable, py: str, cfg_dir: str,
                  work: str, values: Dict[str, str], data_opt: List[str],
                  iters: Optional[int], baselines: Sequence[Baseline],
                  seed: Optional[int] = None) -> List[dict]:
    """Trains, tests, grounding-checks and counts each baseline.

    A baseline whose ``result.json`` has the same fingerprint (config and
    options) is not run again. ``seed`` (the default run's ``--seed``) becomes
    each training's ``randomness.seed``, so a rerun repeats the baselines too.

    Returns:
        list[dict]: per baseline ``name``, ``pred`` (folder), ``scores``,
        ``swapped``, ``seconds`` (train / test / swapped), ``params`` and the
        load average (1 / 5 min) after each step.
    """
    out = []
    for b in baselines:
        folder = osp.join(work, 'compare', b.config[:-3])
        os.makedirs(folder, exist_ok=True)
        config = osp.join(cfg_dir, b.config)
        options = _fill(b.options, values)
        shorten = iters and not b.own_schedule
        train_opts = options + data_opt + (iteration_options(config, iters) if shorten else [])
        if seed is not None:
            train_opts.append(f'randomness.seed={seed}')
        fingerprint = _fingerprint(config, train_opts, options)
        saved = _reused(osp.join(folder, 'result.json'), fingerprint)
        if saved is not None:
            print(f'[compare] {b.name}: reusing {folder}/result.json', flush=True)
            out.append(dict(saved, name=b.name, note=b.note))
            continue
        result = dict(name=b.name, note=b.note, config=b.config, pred=osp.join(folder, 'pred'),
                      seconds={}, load={}, uses_stages_0_1=b.uses_stages_0_1,
                      fingerprint=fingerprint)

        def timed(step, fn):
            t = time.time()
            value = fn()
            result['seconds'][step] = time.time() - t
            result['load'][step] = _load()
            print(f'[compare] {b.name}: {step} {result["seconds"][step]:.0f} s '
                  f'(load {result["load"][step]})', flush=True)
            return value
        for k, cmd in enumerate(b.prepare):
            run([py, *_fill(cmd, values)], osp.join(folder, f'prepare{k}.log'))
        timed('train', lambda: run([py, 'tools/train.py', config, '--work-dir',
                                    osp.join(folder, 'train'), '--cfg-options', *train_opts],
                                   osp.join(folder, 'train.log')))
        ckpt = latest(osp.join(folder, 'train'))
        result['scores'] = timed('test', lambda: last_metrics(run(
            [py, 'tools/test.py', config, ckpt, '--work-dir', osp.join(folder, 'test'),
             '--pred-dir', result['pred'], '--cfg-options', *options, *data_opt],
            osp.join(folder, 'test.log'))))
        swapped = swapped_config(config, osp.join(folder, 'swapped_config.py'))
        result['swapped'] = timed('swapped', lambda: last_metrics(run(
            [py, 'tools/test.py', swapped, ckpt, '--work-dir', osp.join(folder, 'test_swapped'),
             '--cfg-options', *options,
             f'test_dataloader.dataset.dataset.data_root={values["data"]}'],
            osp.join(folder, 'test_swapped.log'))))
        result['params'] = count(run, py, config, options, osp.join(folder, 'params.json'))
        with open(osp.join(folder, 'result.json'), 'w') as f:
            json.dump(result, f, indent=2)
        out.append(result)
    return out


def count(run: Callable, py: str, config: str, options: List[str], path: str) -> dict:
    """Parameter counts of a config's model (count_parameters.py --json)."""
    run([py, 'tools/analysis_tools/count_parameters.py', config, '--json', path,
         *(['--cfg-options', *options] if options else [])], path[:-5] + '.log')
    with open(path) as f:
        return json.load(f)


def _row(scores: dict, swapped: dict, params: dict, train_s: float, test_s: float,
         shared: str = '') -> Dict[str, str]:
    return {'swapped J&F': f'{swapped["JF"]:.2f}',
            'grounding drop': f'{scores["JF"] - swapped["JF"]:.1f}',
            'params (trained / total)': f'{params["trained"] / 1e6:.2f} M / '
                                        f'{params["total"] / 1e6:.2f} M',
            'train s': f'{train_s:.0f}{shared}', 'test s': f'{test_s:.0f}'}


def write_report(run: Callable, py: str, work: str, data: str, flowrvs: dict,
                 results: List[dict], notes: List[str]) -> str:
    """Scores every method's predictions side by side (eval_predictions.py) into
    ``<work>/compare/report.md`` with the other columns; returns its table."""
    folder = osp.join(work, 'compare')
    extra = {FLOWRVS_NAME: _row(flowrvs['scores'], flowrvs['swapped'], flowrvs['params'],
                                flowrvs['train_s'], flowrvs['test_s'], ' (+ stages 0-1)')}
    for r in results:
        extra[r['name']] = _row(r['scores'], r['swapped'], r['params'], r['seconds']['train'],
                                r['seconds']['test'])
    with open(osp.join(folder, 'extra_columns.json'), 'w') as f:
        json.dump(extra, f, indent=2)
    names = [FLOWRVS_NAME] + [r['name'] for r in results]
    preds = [flowrvs['pred']] + [r['pred'] for r in results]
    output = run([py, 'tools/eval_predictions.py', '--dataset', 'mevis', '--data-root',
                  osp.join(data, 'valid_u'), '--pred', *preds, '--names', *names,
                  '--empty-baseline', '--group-by', 'synthetic-kind', '--extra',
                  osp.join(folder, 'extra_columns.json'), '--json',
                  osp.join(folder, 'scores.json'), '--out-dir', folder, '--nproc', '2',
                  '--notes', *notes], osp.join(folder, 'eval_predictions.log'))
    return '\n'.join(line for line in output.splitlines() if line.startswith('|'))


def _notes(summary: dict, data: str, iters: Optional[int], results: List[dict],
           shared_s: float, compare_s: float) -> List[str]:
    own = "their configs' own"
    loads = '; '.join(f'{r["name"]} {r["load"]["train"]}' for r in results)
    return [
        f'Synthetic valid_u ({data}), `python tools/quickstart.py --compare`; baselines '
        f'trained {iters or own} iterations, FlowRVS as in the default run. Times are '
        f'wall seconds of tools/train.py and tools/test.py (process start-up included) on '
        f'{os.cpu_count()} CPU cores; load average (1 / 5 min) at the end of each '
        f'baseline\'s training: {loads}. Stages 0-1 (toy Wan folder, data, VAE pre-training, '
        f'decoder fine-tuning: {shared_s:.0f} s) serve every flow model.',
        f'Default run {summary["total_seconds"] / 60:.1f} min, baselines '
        f'{compare_s / 60:.1f} min. Decoded ground-truth mask latents (the flow models\' '
        f'ceiling): J&F {summary["decoder_ceiling"]["JF"]:.1f}.',
        f'{FLOWRVS_NAME}: the quickstart model (p = 1, DVI, SPA). '
        + ' '.join(f'{r["name"]}: {r["note"]}.' for r in results),
        "'swapped J&F': every expression replaced by another of the same video with a "
        "different target; 'grounding drop' = J&F - swapped J&F. 'empty masks': a method "
        'that predicts nothing.']


def compare(work: str, data: str, iters: Optional[int], run: Callable, latest: Callable,
            last_metrics: Callable, cfg_dir: str,
            baselines: Optional[Sequence[Baseline]] = None) -> None:
    """Runs ``baselines`` (default :data:`BASELINES`) beside the finished default
    quickstart run in ``work`` and writes ``<work>/compare/{report.md,scores.json,
    summary.json}``."""
    import sys
    path = osp.join(work, 'summary.json')
    if not osp.isfile(path):
        raise SystemExit(f'no {path}: run the default quickstart first (or use --compare)')
    with open(path) as f:
        summary = json.load(f)
    if summary.get('data_root', data) != data:
        raise SystemExit(f'{path} was made on --data-root {summary["data_root"]}, not {data}')
    py, t_all = sys.executable, time.time()
    wan = osp.join(work, 'wan_tiny')
    stage1 = osp.join(work, 'stage1_decoder')
    decoder = summary.get('decoder_checkpoint') or (latest(stage1) if osp.isdir(stage1) else None)
    values = dict(wan=wan, work=work, data=data, decoder=decoder)
    data_opt = [f'{split}_dataloader.dataset.data_root={data}' for split in ('train', 'val',
                                                                             'test')]
    results = run_baselines(run, latest, last_metrics, py, cfg_dir, work, values, data_opt,
                            iters, BASELINES if baselines is None else baselines,
                            seed=summary.get('seed'))
    sec = summary['seconds']
    flowrvs = dict(scores=summary['scores'], swapped=summary['swapped_expressions'],
                   pred=osp.join(work, 'predictions'), train_s=sec['stage 2: FlowRVS training'],
                   test_s=sec['test on valid_u'],
                   params=count(run, py, osp.join(cfg_dir, 'flowrvs_tiny_synthetic.py'),
                                [f'model.pretrained={wan}'],
                                osp.join(work, 'compare', 'flowrvs_params.json')))
    shared_s = sum(v for k, v in sec.items() if k.startswith(('toy Wan', 'stage 0', 'stage 1')))
    notes = _notes(summary, data, iters, results, shared_s, time.time() - t_all)
    table = write_report(run, py, work, data, flowrvs, results, notes)
    compare_s = time.time() - t_all
    with open(osp.join(work, 'compare', 'summary.json'), 'w') as f:
        json.dump(dict(flowrvs=flowrvs, baselines=results, compare_seconds=compare_s,
                       default_seconds=summary['total_seconds'], iters=iters), f, indent=2)
    print('\n' + table)
    print(f'[quickstart] comparison {compare_s / 60:.1f} min (default run '
          f'{summary["total_seconds"] / 60:.1f} min); report in {work}/compare/report.md')
