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

Example:
  python tools/eval_predictions.py --dataset mevis --data-root data/mevis/valid_u \
      --pred work_dirs/a/pred work_dirs/b/pred --names ours baseline \
      --json scores.json --out-dir report/
"""
import argparse
import os
import os.path as osp
import sys

from mmflowrvs.evaluation.offline_gt import (read_mevis_gt, read_ref_davis_gt, read_ytvos_gt,
                                             resolve_davis_root)
from mmflowrvs.evaluation.offline_scoring import (detect_layout, score_expressions,
                                                  score_ref_davis)
from mmflowrvs.evaluation.protocols import (MEVIS_VERSIONS, REF_DAVIS_PROTOCOLS,
                                            check_expression_count)
from mmflowrvs.evaluation.ref_davis_eval import davis_val_videos
from mmflowrvs.evaluation.report import describe_scoring, format_table, write_json, write_report

MAX_PRINTED = 10


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
    return args


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
        protocol = args.protocol if args.dataset == 'ref-davis' else None
        preds = [(n, p, detect_layout(p, args.dataset, protocol))
                 for n, p in zip(names, args.pred)]
        methods = score_expressions(gt, preds, args.nproc, protocol)
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
    print(format_table(methods))
    if args.json:
        write_json(methods, args.json)
        print(f'json written to {args.json}')
    if args.out_dir:
        print(f'report written to {write_report(methods, args.out_dir, args.dataset)}')
    return 0


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
