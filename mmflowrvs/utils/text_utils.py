"""Expression cleaning and the left/right swap used with horizontal flips (method.md, "Text")."""
import html
import re

_LEFT_RIGHT = re.compile(r'\b(left|right)\b', flags=re.IGNORECASE)


def clean_expression(text: str, lower: bool = True) -> str:
    """Cleans a referring expression as the reference datasets do.

    Unescapes HTML entities, removes ``"`` and ``\\``, collapses whitespace and
    (by default) lower-cases.

    Args:
        text (str): Raw expression from the annotation file.
        lower (bool): Whether to lower-case. Defaults to True.

    Returns:
        str: The cleaned expression.
    """
    text = html.unescape(html.unescape(text))
    text = text.replace('"', '').replace('\\', '')
    text = re.sub(r'\s+', ' ', text).strip()
    return text.lower() if lower else text


def swap_left_right(text: str) -> str:
    """Swaps the whole words "left" and "right" (keeps the case of the first letter).

    Args:
        text (str): An expression.

    Returns:
        str: The expression as it reads after a horizontal flip.
    """
    def _swap(m: 're.Match') -> str:
        word = m.group(1)
        new = 'right' if word.lower() == 'left' else 'left'
        return new.capitalize() if word[0].isupper() else new

    return _LEFT_RIGHT.sub(_swap, text)
