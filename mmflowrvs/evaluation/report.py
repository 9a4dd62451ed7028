"""Side-by-side reports of several methods: console table, json, markdown, plot."""
import json
import os
import os.path as osp
from typing import Dict, List, Optional

from .offline_scoring import MethodScores

__all__ = ['describe_scoring', 'format_table', 'write_json', 'write_report']

_MAX_LISTED = 20


def describe_scoring(methods: List[MethodScores]) -> str:
    """One line naming what was scored and how, e.g. ``dataset mevis, split valid_u,
    MeViS v1`` or ``dataset ref-davis, protocol davis2017-unsupervised``."""
    identity = methods[0].identity if methods else {}
    parts = [f'{k.replace("_", " ")} {v}' for k, v in identity.items() if k != 'mevis_version']
    if 'mevis_version' in identity:
        parts.append(f"MeViS {identity['mevis_version']}")
    return ', '.join(parts)


#: Extra columns per method: ``{method name: {column: value}}`` (shown as given).
ExtraColumns = Dict[str, Dict[str, object]]


def _extra_columns(extra: Optional[ExtraColumns]) -> List[str]:
    """Column names of ``extra`` in first-seen order."""
    return list(dict.fromkeys(c for cols in (extra or {}).values() for c in cols))


def format_table(methods: List[MethodScores], extra: Optional[ExtraColumns] = None) -> str:
    """A markdown/console table: J, F, J&F per method (+ per annotator, N-acc/T-acc,
    then the ``extra`` columns; '-' where a method has no value)."""
    annos = sorted({a for m in methods for a in m.per_annotator})
    accs = sorted({k for m in methods for k in m.no_target_acc})
    columns = _extra_columns(extra)
    head = (['method', 'J', 'F', 'J&F'] + [f'{a} J&F' for a in annos] + accs + columns
            + ['missing', 'bad files'])
    rows = [[m.name, f'{m.J:.2f}', f'{m.F:.2f}', f'{m.JF:.2f}']
            + [f'{m.per_annotator[a]["J&F"]:.2f}' if a in m.per_annotator else '-'
               for a in annos]
            + [f'{m.no_target_acc[k]:.2f}' if k in m.no_target_acc else '-' for k in accs]
            + [str((extra or {}).get(m.name, {}).get(c, '-')) for c in columns]
            + [f'{len(m.missing)}/{m.num_units * (4 if annos else 1)}', str(len(m.issues))]
            for m in methods]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]

    def line(cells):
        return '| ' + ' | '.join(c.ljust(w) for c, w in zip(cells, widths)) + ' |'
    sep = '|' + '|'.join('-' * (w + 2) for w in widths) + '|'
    return '\n'.join([line(head), sep] + [line(r) for r in rows])


def write_json(methods: List[MethodScores], path: str,
               extra: Optional[ExtraColumns] = None) -> None:
    """``{name: {"J", "F", "J&F", ...}}`` (x100; Ref-DAVIS adds ``anno_<a>``; the
    ``extra`` columns and, when known, the per-category J&F are added)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    out = {}
    for m in methods:
        out[m.name] = dict(m.to_json(), **(extra or {}).get(m.name, {}))
        if m.per_category:
            out[m.name]['per_category'] = m.per_category
    with open(path, 'w') as f:
        json.dump(out, f, indent=2)


def _listing(title: str, items: List[str]) -> List[str]:
    lines = [f'### {title} ({len(items)})', '']
    lines += [f'- `{item}`' for item in items[:_MAX_LISTED]]
    if len(items) > _MAX_LISTED:
        lines.append(f'- ... and {len(items) - _MAX_LISTED} more')
    return lines + ['']


def _plot(methods: List[MethodScores], path: str) -> None:
    """Per-video J&F of each method, each sorted in decreasing order."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for m in methods:
        values = sorted(m.per_video.values(), reverse=True)
        ax.plot(range(1, len(values) + 1), values, marker='.', label=f'{m.name} ({m.JF:.1f})')
    ax.set_xlabel('videos (sorted per method)')
    ax.set_ylabel('per-video J&F')
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(methods: List[MethodScores], out_dir: str, dataset: str,
                 extra: Optional[ExtraColumns] = None,
                 group_title: str = 'Per-category J&F', notes: Optional[List[str]] = None) -> str:
    """Writes ``report.md`` and ``per_video_jf.png`` to ``out_dir``.

    The markdown has the summary table (with the ``extra`` columns), ``notes``
    (paragraphs under the table), per-annotator details (Ref-DAVIS), per-category
    J&F when known (under ``group_title``, with the number of expressions), the
    per-video J&F of every method with its difference to the first method
    (largest differences first), and what was missing or broken.

    Returns:
        str: path of the markdown report.
    """
    os.makedirs(out_dir, exist_ok=True)
    _plot(methods, osp.join(out_dir, 'per_video_jf.png'))
    base = methods[0]
    lines = [f'# {dataset} evaluation', '', describe_scoring(methods), '',
             format_table(methods, extra), '']
    for note in notes or []:
        lines += [note, '']
    for m in methods:
        if m.per_annotator:
            lines += [f'## {m.name} per annotator', '',
                      '| annotator | ' + ' | '.join(next(iter(m.per_annotator.values()))) + ' |',
                      '|---' * (1 + len(next(iter(m.per_annotator.values())))) + '|']
            lines += [f'| {a} | ' + ' | '.join(f'{v:.2f}' for v in s.values()) + ' |'
                      for a, s in m.per_annotator.items()]
            lines.append('')
    cats = sorted({c for m in methods for c in m.per_category})
    if cats:
        counts = {c: n for m in methods for c, n in m.category_counts.items()}
        lines += [f'## {group_title}', '', '| category | '
                  + ' | '.join(m.name for m in methods) + ' | expressions |',
                  '|---' * (2 + len(methods)) + '|']
        lines += [f'| {c} | '
                  + ' | '.join(f'{m.per_category.get(c, float("nan")):.2f}' for m in methods)
                  + f' | {counts.get(c, "-")} |' for c in cats]
        lines.append('')
    videos = sorted(base.per_video)
    others = methods[1:]

    def diff(v):
        return max((abs(m.per_video.get(v, 0.0) - base.per_video[v]) for m in others),
                   default=0.0)
    lines += ['## Per-video J&F', '', f'Differences are to `{base.name}`.', '',
              '| video | ' + ' | '.join([base.name] + [f'{m.name} (diff)' for m in others])
              + ' |', '|---' * (1 + len(methods)) + '|']
    for v in sorted(videos, key=lambda v: (-diff(v), v)):
        cells = [f'{base.per_video[v]:.2f}'] + [
            f'{m.per_video.get(v, 0.0):.2f} ({m.per_video.get(v, 0.0) - base.per_video[v]:+.2f})'
            for m in others]
        lines.append(f'| {v} | ' + ' | '.join(cells) + ' |')
    lines += ['', '![per-video J&F](per_video_jf.png)', '']
    for m in methods:
        lines += [f'## {m.name}: missing and bad files', '']
        lines += _listing('missing prediction folders (scored 0)', m.missing)
        lines += _listing('bad or missing frame files (scored as empty masks)', m.issues)
    path = osp.join(out_dir, 'report.md')
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
    return path
