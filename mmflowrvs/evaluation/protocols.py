"""The evaluation protocols the field reports, by name (docs/metrics.md).

* MeViS: the published expression counts of each split and version, so a run that
  scores another number says so (a partial split is not comparable to published
  numbers).
* Ref-DAVIS17: ``'davis2017-unsupervised'`` (the protocol ReferFormer reports and
  the default: objects merged per annotator, Hungarian matching, the mean of the
  four annotators) or ``'per-expression'`` (each expression's binary mask against
  its own object, averaged over expressions as in MeViS).
"""
from typing import List, Optional, Tuple

from mmflowrvs.datasets.mevis import MEVIS_VERSIONS

__all__ = ['MEVIS_EXPECTED_EXPRESSIONS', 'MEVIS_VERSIONS', 'REF_DAVIS_PROTOCOLS',
           'check_expression_count', 'check_ref_davis_protocol', 'describe_mevis',
           'scored_split_identity']

#: Expressions per split with public ids, as released (v2 adds no-target expressions).
MEVIS_EXPECTED_EXPRESSIONS = {
    'v1': {'valid_u': 793, 'valid': 2236},
    'v2': {'valid_u': 907, 'valid': 2523},
}
REF_DAVIS_PROTOCOLS = ('davis2017-unsupervised', 'per-expression')


def check_expression_count(num_scored: int, split: str, version: str) -> Optional[str]:
    """A warning when a MeViS run scored another number of expressions than the split has.

    Args:
        num_scored (int): Distinct (video, expression id) pairs scored.
        split (str): ``'valid_u'`` or ``'valid'`` (other splits are not checked).
        version (str): ``'v1'`` or ``'v2'``.

    Returns:
        str | None: The warning (naming the version, split and difference), or None
        when the count is the published one or the split has no published count.
    """
    expected = MEVIS_EXPECTED_EXPRESSIONS.get(version, {}).get(split)
    if expected is None or num_scored == expected:
        return None
    diff = num_scored - expected
    return (f'MeViS {version} {split} has {expected} expressions but {num_scored} were '
            f'scored ({abs(diff)} {"more" if diff > 0 else "fewer"}): the numbers are not '
            'comparable to published ones (wrong MeViS version, a partial split or '
            'duplicated ids?)')


def describe_mevis(version: Optional[str], split: Optional[str], num_scored: int) -> str:
    """``'MeViS v1 valid_u: 793 expressions scored (published: 793)'``."""
    expected = MEVIS_EXPECTED_EXPRESSIONS.get(version or '', {}).get(split or '')
    published = f' (published: {expected})' if expected is not None else ''
    return f'MeViS {version or "?"} {split or "?"}: {num_scored} expressions scored{published}'


def check_ref_davis_protocol(protocol: str) -> str:
    """Returns ``protocol`` if it is one of :data:`REF_DAVIS_PROTOCOLS`.

    Raises:
        ValueError: Naming the protocols there are.
    """
    if protocol not in REF_DAVIS_PROTOCOLS:
        raise ValueError(f'unknown Ref-DAVIS17 protocol {protocol!r}: use one of '
                         f'{", ".join(REF_DAVIS_PROTOCOLS)}')
    return protocol


def scored_split_identity(dataset_meta: Optional[dict], num_scored: int,
                          protocol: Optional[str] = None) -> Tuple[dict, List[str]]:
    """What a metric scored, for its log line and json, and the count warnings.

    Args:
        dataset_meta (dict, optional): The dataset's metainfo (``dataset_name`` and,
            for MeViS, ``mevis_version`` and ``split``). Counts are checked only for
            ``dataset_name='mevis'``: other data in the MeViS layout (the synthetic
            benchmark) name themselves otherwise.
        num_scored (int): Distinct expressions scored.
        protocol (str, optional): The protocol's name (Ref-DAVIS17).

    Returns:
        tuple[dict, list[str]]: ``dataset``, ``split``, ``mevis_version``,
        ``protocol`` (those known), ``num_expressions`` and a one-line
        ``description``; and the warnings (MeViS count check).
    """
    meta = dataset_meta or {}
    identity = {k: v for k, v in (('dataset', meta.get('dataset_name')),
                                  ('split', meta.get('split')),
                                  ('mevis_version', meta.get('mevis_version')),
                                  ('protocol', protocol)) if v is not None}
    identity['num_expressions'] = num_scored
    warnings = []
    if identity.get('dataset') == 'mevis' and 'mevis_version' in identity:
        identity['description'] = describe_mevis(identity['mevis_version'],
                                                 identity.get('split'), num_scored)
        warning = check_expression_count(num_scored, identity.get('split', ''),
                                         identity['mevis_version'])
        if warning:
            warnings.append(warning)
    else:
        name = identity.get('dataset', 'RVOS')
        how = f', protocol {protocol}' if protocol else ''
        identity['description'] = f'{name}{how}: {num_scored} expressions scored'
    return identity, warnings

