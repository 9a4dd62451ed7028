"""Expression cleaning and the left/right swap used with horizontal flips.

See docs/method.md, "Text".
"""
import html
import re

# "left" / "right" as whole words and their direction forms (leftmost, lefthand,
# left-hand, leftward(s), ...); never inside other words ("bright", "leftover").
_LEFT_RIGHT = re.compile(r'\b(left|right)(most|hand|-hand|wards|ward)?\b', flags=re.IGNORECASE)


def clean_expression(text: str, lower: bool = True) -> str:
    """Cleans a referring expression in the reference code's order.

    Collapses runs of whitespace to one space (and strips the ends) first, then
    unescapes HTML entities once (``&amp;amp;`` -> ``&amp;``; ``&nbsp;`` becomes a
    no-break space that is not collapsed), then removes ``"`` and ``\\``, and
    optionally lower-cases (the reference lower-cases training expressions only;
    UMT5 is case-sensitive).

    Args:
        text (str): Raw expression from the annotation file or the user.
        lower (bool): Whether to lower-case. Defaults to True.

    Returns:
        str: The cleaned expression.
    """
    text = html.unescape(' '.join(text.split()))
    text = text.replace('"', '').replace('\\', '')
    return text.lower() if lower else text


def normalize_expression(text: str, lower: bool = True) -> str:
    """What the reference's datasets do to an expression: whitespace collapsed (and
    the ends stripped), lower-cased if ``lower``; nothing else.

    The cleaning proper (:func:`clean_expression`) is the text encoder's, applied
    once to what the dataset gives: cleaning in the dataset too would unescape HTML
    twice (``&amp;amp;`` -> ``&``, where the reference gives ``&amp;``).
    """
    text = ' '.join(text.split())
    return text.lower() if lower else text


def _same_case(new: str, old: str) -> str:
    if old.isupper():
        return new.upper()
    return new.capitalize() if old[0].isupper() else new


def swap_left_right(text: str) -> str:
    """Swaps left and right as whole words and their forms, keeping the case.

    ``left``/``leftmost``/``left-hand``/``Leftwards``/``LEFT`` become
    ``right``/``rightmost``/``right-hand``/``Rightwards``/``RIGHT`` and vice versa;
    words that merely contain the letters (``bright``, ``leftover``, ``copyright``)
    are kept.

    Args:
        text (str): An expression.

    Returns:
        str: The expression as it reads after a horizontal flip.
    """
    def _swap(m: 're.Match') -> str:
        stem = m.group(1)
        new = 'right' if stem.lower() == 'left' else 'left'
        return _same_case(new, stem) + (m.group(2) or '')

    return _LEFT_RIGHT.sub(_swap, text)
