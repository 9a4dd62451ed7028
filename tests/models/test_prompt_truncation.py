"""Prompts longer than max_length warn once, with tokens kept / total (issue 20, item 8)."""
import warnings

import pytest

from mmflowrvs.models.text_encoders import UMT5TextEncoder


def test_long_prompt_warns_once_with_counts(tiny_wan_dir):
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=8, cache_size=0)
    long = 'the small red circle that moves slowly to the left of the frame'
    total = len(enc.tokenizer(long).input_ids)
    assert total > 8
    with pytest.warns(UserWarning, match=rf'truncated .*max_length: 8/{total} tokens kept'):
        enc([long, 'a dog'])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        enc([long])  # encoded again (no cache), warned already
        enc(['a dog', 'a cat'])  # short prompts never warn
