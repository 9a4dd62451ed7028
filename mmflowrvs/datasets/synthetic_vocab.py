"""The fixed vocabulary of the synthetic referring-video benchmark.

``make_synthetic_rvos`` only emits expressions made of these words, so an
offline word-level tokenizer can be built from :data:`SYNTHETIC_VOCAB`.
"""
from typing import Dict, List, Tuple

COLORS: Dict[str, Tuple[int, int, int]] = {  # name -> RGB
    'red': (220, 40, 40),
    'green': (40, 180, 60),
    'blue': (40, 80, 220),
    'yellow': (230, 210, 40),
    'purple': (150, 60, 190),
    'white': (240, 240, 240),
}
SHAPES: Dict[str, str] = {'circle': 'circles', 'square': 'squares', 'triangle': 'triangles'}
# motion name -> the words that describe it
MOTIONS: Dict[str, str] = {
    'left': 'moving left',
    'right': 'moving right',
    'up': 'moving up',
    'down': 'moving down',
    'still': 'that does not move',
    'stops': 'that stops',
}
NUMBERS: List[str] = ['two', 'three']
RELATIONS: Dict[str, str] = {'left': 'on the left of', 'right': 'on the right of',
                             'above': 'above', 'below': 'below'}
FUNCTION_WORDS: List[str] = ['the', 'shape', 'shapes', 'one', 'ones', 'all']


def _collect() -> List[str]:
    words = set(FUNCTION_WORDS) | set(NUMBERS) | set(COLORS)
    words |= set(SHAPES) | set(SHAPES.values())
    for phrase in list(MOTIONS.values()) + list(RELATIONS.values()):
        words |= set(phrase.split())
    return sorted(words)


#: Every word the synthetic generator can emit, sorted.
SYNTHETIC_VOCAB: List[str] = _collect()


def synthetic_vocab() -> List[str]:
    """Returns a copy of :data:`SYNTHETIC_VOCAB`."""
    return list(SYNTHETIC_VOCAB)
