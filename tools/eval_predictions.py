"""Score folders of prediction PNGs (any method) against a dataset's GT, side by side.

Layouts of ``--pred`` folders (as the submission formats of docs/datasets.md):
  mevis      <pred>/<video>/<exp_id>/<frame>.png            (nonzero = object)
  ref-ytvos  <pred>/Annotations/<video>/<exp_id>/<frame>.png (or without Annotations/)
  ref-davis  <pred>/anno_<a>/<video>/<frame>.png            (palette ids, a = 0..3);
             with --protocol per-expression, the mevis or ref-ytvos layout (one
             binary mask per expression, e.g. tools/test.py --layout mevis)

``--data-root``:
  mevis      a split folder with GT: meta_expressions.json + mask_dict.json
             (e.g. data/mevis/valid_u)
  ref-ytvos  the Ref-YouTube-VOS root; ``--split`` (default train) must have GT:
             meta_expressions/<split>/meta_expressions.json, <split>/Annotations
  ref-davis  the Ref-DAVIS root holding DAVIS/ (or the DAVIS folder itself);
             videos from DAVIS/ImageSets/2017/val.txt; per-expression: the Ref-DAVIS
             root built by tools/dataset_converters/ref_davis.py (valid split)

The numbers are printed with what was scored and how: the MeViS version (detected,
or --mevis-version) and split, or the Ref-DAVIS17 protocol (--protocol, docs/metrics.md).
A MeViS valid_u / valid split with another number of expressions than published
(v1: 793 / 2,236; v2: 907 / 2,523) is warned about.

Missing expression/video folders score 0 (as the official script) and are
counted and named; bad frame PNGs (missing, unreadable, RGB, wrong size) are
named, count as empty masks, and scoring goes on.

Options for side-by-side reports (mevis, ref-ytvos):
  --empty-baseline  adds the row of a method that predicts nothing (every mask empty):
                    what a model that learnt nothing scores;
  --group-by synthetic-kind
                    breaks J&F down by what each expression names (the built-in
                    synthetic benchmark: colour + shape, colour, shape, motion, ...)
                    instead of by object category;
  --extra FILE      a JSON {method name: {column: value}} of other numbers to show in
                    each method's row (time, parameters, ...; as given).

Example:
  python tools/eval_predictions.py --dataset mevis --data-root data/mevis/valid_u \
      --pred work_dirs/a/pred work_dirs/b/pred --names ours baseline \
      --json scores.json --out-dir report/ --empty-baseline
"""
import argparse
import json
import os
import os.path as osp
import sys

from mmflowrvs.evaluation.offline_gt import (
    ExpressionGT,
    read_mevis_gt,
    read_ref_davis_gt,
    read_ytvos_gt,
    resolve_davis_root,
)
from mmflowrvs.evaluation.offline_scoring import (
    EMPTY_LAYOUT,
    detect_layout,
    score_expressions,
    score_ref_davis,
)
from mmflowrvs.evaluation.protocols import (
    MEVIS_VERSIONS,
    REF_DAVIS_PROTOCOLS,
    check_expression_count,
)
from mmflowrvs.evaluation.ref_davis_eval import davis_val_videos
from mmflowrvs.evaluation.report import describe_scoring, format_table, write_json, write_report

MAX_PRINTED = 10
EMPTY_NAME = 'empty masks'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Score prediction folders against GT (J, F, J&F), side by side.',
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('--dataset', required=True, choices=['mevis', 'ref-ytvos', 'ref-davis'])
    parser.add_argument('--data-root', required=True, help='GT location (see below)')
    parser.add_argument('--pred', required=True, nargs='+', help='prediction folders')
    parser.add_argument('--names', nargs='+', help='method names (default: folder names)')
    parser.add_argument('--split', default='train', help='ref-ytvos split with GT')
    parser.add_argument('--mevis-version', choices=MEVIS_VERSIONS,
                        help='MeViS version (default: v2 if an expression has no target)')
    parser.add_argument('--protocol', choices=REF_DAVIS_PROTOCOLS,
                        default=REF_DAVIS_PROTOCOLS[0], help='Ref-DAVIS17 protocol')
    parser.add_argument('--json', help='write {name: {"J", "F", "J&F"}} (x100) here')
    parser.add_argument('--out-dir', help='write report.md and per_video_jf.png here')
    parser.add_argument('--nproc', type=int, default=min(8, os.cpu_count() or 1),
                        help='worker processes')
    parser.add_argument('--empty-baseline', action='store_true',
                        help=f"add a row '{EMPTY_NAME}': every mask empty")
    parser.add_argument('--group-by', choices=['category', 'synthetic-kind'], default='category',
                        help='breakdown of J&F (default: object category when known)')
    parser.add_argument('--extra', help='JSON {method: {column: value}} shown in the table')
    parser.add_argument('--notes', nargs='+', default=[],
                        help='paragraphs written under the table of --out-dir/report.md')
    args = parser.parse_args(argv)
    if args.names and len(args.names) != len(args.pred):
        parser.error(f'{len(args.names)} --names for {len(args.pred)} --pred folders')
    if args.names and len(set(args.names)) != len(args.names):
        dup = sorted({n for n in args.names if args.names.count(n) > 1})
        parser.error(f'--names must differ (a repeated name would drop a method from '
                     f'--json and the report): {", ".join(dup)} given more than once')
    for pred in args.pred:
        if not osp.isdir(pred):
            parser.error(f'--pred {pred} is not a folder')
    if args.dataset == 'ref-davis' and (args.empty_baseline or args.group_by != 'category'):
        parser.error('--empty-baseline and --group-by are for mevis and ref-ytvos')
    if args.empty_baseline and EMPTY_NAME in (args.names or []):
        parser.error(f"--names: '{EMPTY_NAME}' is the --empty-baseline row's name")
    return args


def _read_extra(path: str, names: list) -> dict:
    """The --extra columns, checked: a JSON object of objects naming known methods."""
    with open(path) as f:
        try:
            extra = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'--extra {path}: not JSON ({err})') from err
    if not isinstance(extra, dict) or not all(isinstance(v, dict) for v in extra.values()):
        raise ValueError(f'--extra {path}: expected {{method: {{column: value}}}}')
    unknown = sorted(set(extra) - set(names))
    if unknown:
        raise ValueError(f'--extra {path}: no method named {", ".join(unknown)} '
                         f'(methods: {", ".join(names)})')
    return extra


def _group_by_synthetic_kind(gts: list) -> list:
    """The expressions with their category set to what each names (colour, shape, ...)."""
    from mmflowrvs.datasets.synthetic_rvos import expression_group
    return [ExpressionGT(dict(g.info, category=expression_group(g.expression or '')), g.shape)
            for g in gts]


def _names(args) -> list:
    if args.names:
        return list(args.names)
    names = [osp.basename(osp.normpath(p)) or p for p in args.pred]
    return names if len(set(names)) == len(names) else [osp.normpath(p) for p in args.pred]


def main(argv=None) -> int:
    args = parse_args(argv)
    names = _names(args)
    if args.dataset == 'ref-davis' and args.protocol == 'davis2017-unsupervised':
        davis_root = resolve_davis_root(args.data_root)
        videos = davis_val_videos(davis_root)
        methods = score_ref_davis(davis_root, videos, list(zip(names, args.pred)), args.nproc)
    else:
        if args.dataset == 'mevis':
            gt = read_mevis_gt(args.data_root, args.mevis_version)
            warning = check_expression_count(len(gt.expressions), gt.split, gt.mevis_version)
            if warning:
                print(f'warning: {warning}', file=sys.stderr)
        elif args.dataset == 'ref-ytvos':
            gt = read_ytvos_gt(args.data_root, args.split)
        else:
            gt = read_ref_davis_gt(args.data_root)
        if args.group_by == 'synthetic-kind':
            gt.expressions = _group_by_synthetic_kind(gt.expressions)
        protocol = args.protocol if args.dataset == 'ref-davis' else None
        preds = [(n, p, detect_layout(p, args.dataset, protocol))
                 for n, p in zip(names, args.pred)]
        if args.empty_baseline:
            names.append(EMPTY_NAME)
            preds.append((EMPTY_NAME, '', EMPTY_LAYOUT))
        methods = score_expressions(gt, preds, args.nproc, protocol)
    extra = _read_extra(args.extra, names) if args.extra else None
    for m in methods:
        unit = 'video folders' if args.dataset == 'ref-davis' else 'expression folders'
        if m.missing:
            print(f'[{m.name}] {len(m.missing)} missing {unit} scored 0, e.g.: '
                  + ', '.join(m.missing[:MAX_PRINTED]), file=sys.stderr)
        for msg in m.issues[:MAX_PRINTED]:
            print(f'[{m.name}] {msg}', file=sys.stderr)
        if len(m.issues) > MAX_PRINTED:
            print(f'[{m.name}] ... {len(m.issues) - MAX_PRINTED} more bad frame files',
                  file=sys.stderr)
    print(describe_scoring(methods))
    print(format_table(methods, extra))
    if args.json:
        write_json(methods, args.json, extra)
        print(f'json written to {args.json}')
    if args.out_dir:
        title = ('Per-kind J&F (what each expression names)'
                 if args.group_by == 'synthetic-kind' else 'Per-category J&F')
        path = write_report(methods, args.out_dir, args.dataset, extra, title, args.notes)
        print(f'report written to {path}')
    return 0


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
