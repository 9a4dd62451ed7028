"""Expression cleaning in the reference's order and the whole-word left/right swap."""
import pytest

from mmflowrvs.utils.text_utils import clean_expression, swap_left_right


@pytest.mark.parametrize('raw,cleaned', [
    ('The Dog On The LEFT', 'The Dog On The LEFT'),  # case kept when lower=False
    ('  a \t\n dog  ', 'a dog'),
    ('Tom &amp;amp; Jerry', 'Tom &amp; Jerry'),  # unescaped once only
    ('a&nbsp;&nbsp;dog', 'a\xa0\xa0dog'),  # unescaped after collapsing: kept as is
    ('the "big" cat\\', 'the big cat'),
    ('&quot;quoted&quot; one', 'quoted one'),  # entities become quotes, then go
    ('a \\ b', 'a  b'),  # the backslash goes after collapsing: two spaces stay
])
def test_clean_expression_in_the_reference_order(raw, cleaned):
    assert clean_expression(raw, lower=False) == cleaned
    assert clean_expression(raw) == cleaned.lower()


SWAPS = [
    ('left', 'right'), ('Left', 'Right'), ('LEFT', 'RIGHT'), ('leftmost', 'rightmost'),
    ('Rightmost', 'Leftmost'), ('lefthand', 'righthand'), ('left-hand', 'right-hand'),
    ('Right-Hand', 'Left-Hand'), ('leftwards', 'rightwards'), ('rightward', 'leftward'),
    ("left's", "right's"), ('(left)', '(right)'), ('left,', 'right,'),
]
KEPT = ['bright', 'brightest', 'copyright', 'leftover', 'lefty', 'righteous', 'alright',
        'outright', 'leftist', 'rights', 'downright', 'wright', 'cleft']


@pytest.mark.parametrize('word,swapped', SWAPS)
def test_swap_whole_words_and_forms(word, swapped):
    assert swap_left_right(f'the cat on the {word} side') == f'the cat on the {swapped} side'
    assert swap_left_right(swapped) == word  # an involution


@pytest.mark.parametrize('word', KEPT)
def test_swap_never_inside_other_words(word):
    assert swap_left_right(f'a {word} thing') == f'a {word} thing'


def test_swap_a_sentence():
    assert swap_left_right('The LEFT bird flies right, past the bright leftmost tree') == \
        'The RIGHT bird flies left, past the bright rightmost tree'
