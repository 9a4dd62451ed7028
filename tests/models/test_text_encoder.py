import pytest
import torch

from mmflowrvs.models.text_encoders import UMT5TextEncoder
from mmflowrvs.utils.text_utils import clean_expression, swap_left_right


def test_clean_prompt_and_left_right():
    # whitespace is collapsed before the backslash goes: its space stays, as the reference's
    assert clean_expression('  the &quot;red&quot;\n circle \\ ', lower=False) == 'the red circle '
    assert clean_expression('A  Dog') == 'a dog'
    assert swap_left_right('the left one moving right, leftmost') == \
        'the right one moving left, rightmost'


def test_embeddings_trimmed_and_zero_padded(tiny_wan_dir):
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12)
    emb = enc(['the red circle', 'the blue square moving left'])
    assert emb.shape == (2, 12, 32)
    n_tokens = [len(enc.tokenizer(p).input_ids) for p in ['the red circle',
                                                          'the blue square moving left']]
    assert n_tokens == [4, 6]  # words + </s>
    for i, n in enumerate(n_tokens):
        assert (emb[i, :n].abs().sum(-1) > 0).all()
        assert torch.count_nonzero(emb[i, n:]) == 0
    # Same prompt alone: trimming makes it independent of the batch's padding.
    torch.testing.assert_close(enc('the red circle')[0], emb[0])


def test_cache_encodes_each_prompt_once(tiny_wan_dir, monkeypatch):
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=8)
    calls = []
    original = enc._encode_uncached
    monkeypatch.setattr(enc, '_encode_uncached', lambda p: calls.append(list(p)) or original(p))
    a = enc(['a dog', 'a cat', 'a dog'])
    b = enc(['a cat', 'a  dog'])
    assert calls == [['a dog', 'a cat']]
    assert enc.num_cached == 2
    torch.testing.assert_close(b[0], a[1])
    torch.testing.assert_close(b[1], a[0])


def test_frozen(tiny_wan_dir):
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir)
    enc.train()
    assert not enc.encoder.training
    assert not any(p.requires_grad for p in enc.parameters())


@pytest.mark.parametrize('bad', ['', '   ', '""', None])
def test_empty_prompt_is_an_error(tiny_wan_dir, bad):
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir)
    with pytest.raises(ValueError, match='empty'):
        enc(['a dog', bad])
