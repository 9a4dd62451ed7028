"""A warning when a prompt is longer than the text encoder's ``max_length``."""
import warnings
from typing import Sequence, Set


def warn_truncated_prompts(tokenizer, prompts: Sequence[str], max_length: int,
                           warned: Set[str]) -> None:
    """Warns once per prompt that is cut to ``max_length`` tokens.

    Args:
        tokenizer: A Hugging Face tokenizer.
        prompts (Sequence[str]): The (cleaned) prompts about to be encoded.
        max_length (int): Tokens the encoder keeps (special tokens included).
        warned (set[str]): Prompts already warned about; updated in place.
    """
    todo = [p for p in prompts if p not in warned]
    if not todo:
        return
    ids = tokenizer(todo, add_special_tokens=True, truncation=False)['input_ids']
    for prompt, tokens in zip(todo, ids):
        if len(tokens) > max_length:
            warned.add(prompt)
            warnings.warn(f'prompt truncated to the text encoder\'s max_length: '
                          f'{max_length}/{len(tokens)} tokens kept of {prompt[:80]!r}'
                          f'{"..." if len(prompt) > 80 else ""}')
