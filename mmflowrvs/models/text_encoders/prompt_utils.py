"""Prompt cleaning as in the reference code (method.md, "Text")."""
import html
import re

_LEFT_RIGHT = re.compile(r'\b(left|right)\b')


def clean_prompt(text: str, lower: bool = False) -> str:
    """Collapses whitespace, unescapes HTML, removes ``"`` and ``\\``.

    Args:
        text (str): Raw prompt.
        lower (bool): Also lower-case (what datasets do).

    Returns:
        str: The cleaned prompt.
    """
    text = html.unescape(html.unescape(text))
    text = text.replace('"', '').replace('\\', '')
    text = re.sub(r'\s+', ' ', text).strip()
    return text.lower() if lower else text


def swap_left_right(text: str) -> str:
    """Swaps the words "left" and "right" (used with a horizontal flip)."""
    return _LEFT_RIGHT.sub(lambda m: 'right' if m.group(1) == 'left' else 'left', text)
