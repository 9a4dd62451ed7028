"""tools/quickstart.py --compare: the baselines' configs, the swapped-expression wrapper,
the parameter counter and one comparison end to end on a tiny Wan folder."""
import argparse
import contextlib
import importlib.util
import io
import json
import os
import runpy
import shutil
import sys

import pytest
from mmengine.config import Config, DictAction

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUICKSTART_CFG = os.path.join(REPO, 'configs', 'quickstart')


def _module(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compare = _module('quickstart_compare')


def _run_in_process(cmd, log_path):
    """Stands for quickstart.run: runs the tool ``cmd[1]`` (its ``__main__``) in this
    process, saving each tool's start-up (imports), and returns its output."""
    script = os.path.join(REPO, cmd[1])
    argv, out = sys.argv, io.StringIO()
    sys.argv = [script, *cmd[2:]]
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(script, run_name='__main__')
    except SystemExit as err:
        if err.code:
            raise AssertionError(f'{cmd[1]} exited with {err.code}:\n'
                                 f'{out.getvalue()[-3000:]}') from err
    finally:
        sys.argv = argv
    with open(log_path, 'w') as f:
        f.write(out.getvalue())
    return out.getvalue()


@pytest.mark.parametrize('baseline', compare.BASELINES, ids=lambda b: b.name)
def test_each_baseline_config_is_shortened_and_swapped(baseline, tmp_path):
    config = os.path.join(QUICKSTART_CFG, baseline.config)
    cfg = Config.fromfile(config)
    parser = argparse.ArgumentParser()  # as tools/train.py reads --cfg-options
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options',
                                           *compare.iteration_options(config, 30)]).cfg_options)
    assert cfg.train_cfg.max_iters == 30 and cfg.default_hooks.checkpoint.interval == 30
    assert cfg.param_scheduler[0].end == cfg.param_scheduler[1].begin == 15
    assert cfg.param_scheduler[-1].end == 30 and cfg.param_scheduler[-1].type.startswith('Cos')
    swapped = Config.fromfile(compare.swapped_config(config, str(tmp_path / 'swapped.py')))
    assert swapped.test_dataloader.dataset.type == 'ExpressionSwapDataset'
    assert swapped.test_dataloader.dataset.dataset == dict(cfg.test_dataloader.dataset,
                                                           video_level=False)
    assert swapped.model == cfg.model


def test_count_parameters_tool(tiny_wan_dir, tmp_path):
    tool = _module('analysis_tools/count_parameters')
    out = tmp_path / 'params.json'
    tool.main([os.path.join(QUICKSTART_CFG, 'flowrvs_tiny_synthetic.py'), '--json', str(out),
               '--cfg-options', f'model.pretrained={tiny_wan_dir}'])
    counts = json.loads(out.read_text())
    parts = counts['parts']
    assert counts['trained'] == parts['backbone']['trained'] == parts['backbone']['total'] > 0
    assert counts['total'] == sum(p['total'] for p in parts.values())
    assert parts['vae']['trained'] == parts['text_encoder']['trained'] == 0


def test_compare_only_on_a_finished_run(tiny_wan_dir, tmp_path):
    """One baseline (2 iterations) beside a 'FlowRVS' whose predictions are the GT."""
    data, work = tmp_path / 'data', tmp_path / 'work'
    _run_in_process([sys.executable, 'tools/dataset_converters/make_synthetic_rvos.py',
                     str(data), '--num-train', '2', '--num-valid', '2', '--frames', '9-9',
                     '--size', '64x64', '--max-exps', '2', '--kinds', 'appearance'],
                    str(tmp_path / 'make_data.log'))
    work.mkdir()
    shutil.copytree(tiny_wan_dir, work / 'wan_tiny')
    from mmflowrvs.evaluation.offline_gt import read_mevis_gt
    from mmflowrvs.evaluation.prediction_io import write_mask_png
    for gt in read_mevis_gt(str(data / 'valid_u')).expressions:  # a perfect "FlowRVS"
        for frame, mask in zip(gt.frames, gt.load()):
            path = work / 'predictions' / gt.video / gt.exp_id / f'{frame}.png'
            path.parent.mkdir(parents=True, exist_ok=True)
            write_mask_png(str(path), mask)
    metrics = dict(J=100.0, F=100.0, JF=100.0)
    (work / 'summary.json').write_text(json.dumps(dict(
        scores=metrics, swapped_expressions=dict(J=9.0, F=11.0, JF=10.0),
        decoder_ceiling=metrics, total_seconds=60.0, data_root=str(data), seed=3,
        decoder_checkpoint=None, seconds={'stage 0: VAE': 5.0, 'stage 2: FlowRVS training': 7.0,
                                          'test on valid_u': 3.0})))
    baseline = compare.Baseline(
        'mask prediction', 'flowrvs_tiny_synthetic_mask-prediction.py',
        ('model.pretrained={wan}', 'train_dataloader.batch_size=2',
         'model.text_encoder.max_length=8'), note='a note')
    quickstart = _module('quickstart')
    compare.compare(str(work), str(data), 2, run=_run_in_process, latest=quickstart.latest,
                    last_metrics=quickstart.last_metrics, cfg_dir=QUICKSTART_CFG,
                    baselines=[baseline])
    scores = json.loads((work / 'compare' / 'scores.json').read_text())
    assert set(scores) == {compare.FLOWRVS_NAME, 'mask prediction', 'empty masks'}
    assert scores[compare.FLOWRVS_NAME]['J&F'] == 100.0
    assert scores[compare.FLOWRVS_NAME]['grounding drop'] == '90.0'
    assert scores['empty masks']['J&F'] == 0.0
    summary = json.loads((work / 'compare' / 'summary.json').read_text())
    tested = summary['baselines'][0]['scores']['JF']
    assert scores['mask prediction']['J&F'] == pytest.approx(tested, abs=0.01)
    report = (work / 'compare' / 'report.md').read_text()
    assert 'Per-kind J&F' in report and 'swapped J&F' in report and 'a note' in report
    assert (work / 'compare' / 'per_video_jf.png').is_file()
    # the baseline trained with the default run's seed
    from mmengine.config import Config
    folder = work / 'compare' / 'flowrvs_tiny_synthetic_mask-prediction'
    dumped = Config.fromfile(str(folder / 'train' / 'flowrvs_tiny_synthetic_mask-prediction.py'))
    assert dumped.randomness.seed == 3
    # a rerun reuses the trained baseline (same config and options): nothing trained again
    commands = []
    compare.compare(str(work), str(data), 2,
                    run=lambda cmd, log: commands.append(cmd[1]) or _run_in_process(cmd, log),
                    latest=quickstart.latest, last_metrics=quickstart.last_metrics,
                    cfg_dir=QUICKSTART_CFG, baselines=[baseline])
    assert 'tools/train.py' not in commands and 'tools/eval_predictions.py' in commands
    rerun = json.loads((work / 'compare' / 'scores.json').read_text())
    assert rerun['mask prediction']['J&F'] == scores['mask prediction']['J&F']


def test_run_baselines_prepares_first_and_keeps_an_own_schedule(tmp_path):
    """The commands run_baselines issues: ``prepare`` before training, the seed and the
    data root on every training, ``--compare-iters`` only where the schedule is not the
    baseline's own (the ReferFormer entry), and each entry's placeholders filled."""
    issued = []

    def fake_run(cmd, log_path):
        issued.append(cmd[1:])
        if cmd[1] == 'tools/analysis_tools/count_parameters.py':
            with open(cmd[cmd.index('--json') + 1], 'w') as f:
                json.dump(dict(trained=1, total=2), f)
        return 'J: 1.0 F: 2.0 J&F: 1.5'

    quickstart = _module('quickstart')
    values = dict(wan='W', work=str(tmp_path), data='D', decoder='C')
    results = compare.run_baselines(
        fake_run, lambda folder: os.path.join(folder, 'iter_9.pth'), quickstart.last_metrics,
        'python', QUICKSTART_CFG, str(tmp_path), values, ['train_dataloader.dataset.data_root=D'],
        40, compare.BASELINES, seed=7)
    assert [r['name'] for r in results] == [b.name for b in compare.BASELINES]
    trainings = [c for c in issued if c[0] == 'tools/train.py']
    assert len(trainings) == len(compare.BASELINES)
    for baseline, cmd in zip(compare.BASELINES, trainings):
        assert cmd[1].endswith(baseline.config)
        assert 'randomness.seed=7' in cmd and 'train_dataloader.dataset.data_root=D' in cmd
        assert ('train_cfg.max_iters=40' in cmd) == (not baseline.own_schedule)
        assert not any('{' in item for item in cmd)
    referformer = next(b for b in compare.BASELINES if b.own_schedule)
    assert referformer.prepare  # its tiny RoBERTa is made before it trains
    first = issued.index(next(c for c in trainings if c[1].endswith(referformer.config)))
    assert issued[first - 1] == ['tools/misc/make_tiny_roberta.py', f'{tmp_path}/roberta_tiny']
    assert f'model.text_encoder.pretrained={tmp_path}/roberta_tiny' in issued[first]
    assert all(r['scores'] == dict(J=1.0, F=2.0, JF=1.5) for r in results)
