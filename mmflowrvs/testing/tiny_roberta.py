"""A randomly initialised RoBERTa folder at toy size, in the transformers format.

It has RoBERTa's real classes (``RobertaModel`` with its pooler, ``RobertaTokenizerFast``
with a byte-level BPE whose vocabulary and merges are learnt offline from a word list),
so ``AutoTokenizer`` / ``AutoModel.from_pretrained`` load it like ``roberta-base``.
Tests and the ReferFormer toy config use it.
"""
import os
from typing import Iterable

import torch

# Toy architecture: RoBERTa's layout at toy width and depth.
TINY_ROBERTA = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=64)
# RoBERTa's special tokens, in RoBERTa's id order (<s> = 0, <pad> = 1, </s> = 2, ...).
SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>', '<mask>']


def build_byte_level_bpe(words: Iterable[str], out_dir: str, vocab_size: int = 2000):
    """Learns a byte-level BPE on ``words`` and saves it as a RoBERTa tokenizer.

    Each word is seen alone and after a space (RoBERTa's ``Ġ`` prefix), so a word of
    the list becomes one token in a sentence; other text still tokenizes (bytes).

    Args:
        words (Iterable[str]): Vocabulary words.
        out_dir (str): Where ``vocab.json``, ``merges.txt`` and the tokenizer
            config are written.
        vocab_size (int): Upper bound of the BPE vocabulary.

    Returns:
        transformers.RobertaTokenizerFast: The saved tokenizer.
    """
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaTokenizerFast

    words = list(words)
    os.makedirs(out_dir, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    lines = words + [' '.join(words[i:i + 8]) for i in range(0, len(words), 8)]
    bpe.train_from_iterator(lines, vocab_size=vocab_size, min_frequency=1,
                            special_tokens=SPECIAL_TOKENS, show_progress=False)
    bpe.save_model(out_dir)
    # reads vocab.json / merges.txt by their standard names (transformers 4 and 5 alike)
    tokenizer = RobertaTokenizerFast.from_pretrained(out_dir, model_max_length=64)
    tokenizer.save_pretrained(out_dir)
    return tokenizer


def make_tiny_roberta(out_dir: str, seed: int = 0, extra_words: Iterable[str] = (),
                      arch: dict = None) -> str:
    """Writes a tiny, randomly initialised RoBERTa folder (model + tokenizer).

    Args:
        out_dir (str): Output folder (``config.json``, weights, ``vocab.json``,
            ``merges.txt``, tokenizer config).
        seed (int): Seed of the random initialisation.
        extra_words (Iterable[str]): More tokenizer words.
        arch (dict, optional): ``RobertaConfig`` overrides (defaults to ``TINY_ROBERTA``).

    Returns:
        str: ``out_dir``.
    """
    from transformers import RobertaConfig, RobertaModel

    from .tiny_wan import tokenizer_words
    tokenizer = build_byte_level_bpe(tokenizer_words(extra_words), out_dir)
    torch.manual_seed(seed)
    config = RobertaConfig(vocab_size=len(tokenizer), max_position_embeddings=66,
                           pad_token_id=tokenizer.pad_token_id,
                           bos_token_id=tokenizer.bos_token_id,
                           eos_token_id=tokenizer.eos_token_id, **(arch or TINY_ROBERTA))
    RobertaModel(config, add_pooling_layer=True).save_pretrained(out_dir)
    return out_dir
