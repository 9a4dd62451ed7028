"""A randomly initialised Wan 2.1 folder at toy size, in the diffusers format.

It has the real architecture (same classes, same layer types) at toy width and
depth, and an offline word-level tokenizer, so the real loading code
(``from_pretrained``) runs on it. Tests and the built-in quickstart use it.
"""
import json
import os
import re
from typing import Iterable, Optional

import torch

from .wan_architectures import TINY_WAN, write_wan_configs

# Words an RVOS expression commonly uses, plus the synthetic benchmark's words.
BASE_VOCAB = """
a an the this that these those one ones two three four five first second third last
of in on at to from with without by near next beside behind between under over above
below into onto out up down left right top bottom middle center centre front back side
and or but not no who which that is are was were be being been it its they them he she
his her their object objects thing things shape shapes animal animals person people man
woman boy girl child dog dogs cat cats horse bird fish monkey car bike bus truck boat ball
red green blue yellow orange purple pink white black grey gray brown cyan magenta dark light
big small large little tiny huge tall short long round square squares circle circles
triangle triangles rectangle rectangles star diamond ring box
moving moves move moved running runs walking walks jumping jumps jump turning turns
stops stopped stopping still static stationary standing stays staying fast slow slowly
quickly faster slower towards toward away leftward rightward upward downward around
across along staying bouncing bounces rotating circling following follows chasing chases
leading first then finally begins starts ends after before while during same other another
both all each only also more most less least closest farthest nearest leftmost rightmost
topmost bottommost higher lower hides hidden passes passing crosses crossing covered covers
occluded overlapping does never always direction changes changing reverses
""".split()


def build_offline_tokenizer(words: Iterable[str], out_dir: Optional[str] = None,
                            max_length: int = 256, lower_case: bool = True):
    """Builds a word-level fast tokenizer (lower-cased, punctuation split).

    Args:
        words (Iterable[str]): Vocabulary words (deduplicated, lower-cased).
        out_dir (str, optional): If given, ``save_pretrained`` there.
        max_length (int): ``model_max_length`` of the tokenizer.
        lower_case (bool): Lower-case the text and the words (True) or keep the
            case (False: case-sensitive, as UMT5's real tokenizer is).

    Returns:
        transformers.PreTrainedTokenizerFast: Pads with id 0, appends ``</s>`` (id 1).
    """
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    vocab = {'<pad>': 0, '</s>': 1, '<unk>': 2}
    for w in words:
        w = w.lower() if lower_case else w
        if w and w not in vocab:
            vocab[w] = len(vocab)
    tok = Tokenizer(WordLevel(vocab=vocab, unk_token='<unk>'))
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFKC()] + ([normalizers.Lowercase()] if lower_case else []))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    tok.post_processor = processors.TemplateProcessing(
        single='$A </s>', pair='$A </s> $B </s>', special_tokens=[('</s>', 1)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token='<pad>', eos_token='</s>', unk_token='<unk>',
        model_max_length=max_length)
    if out_dir is not None:
        fast.save_pretrained(out_dir)
    return fast


def _synthetic_words() -> list:
    try:  # the synthetic benchmark's vocabulary, if the datasets package has it
        from mmflowrvs.datasets import synthetic_vocab
        return list(synthetic_vocab.SYNTHETIC_VOCAB)
    except Exception:  # noqa: BLE001 - optional; BASE_VOCAB covers its words too
        return []


def tokenizer_words(extra_words: Iterable[str] = ()) -> list:
    """The toy tokenizers' vocabulary: ``BASE_VOCAB``, the synthetic benchmark's words
    and ``extra_words``, lower-cased, deduplicated and sorted."""
    words = list(BASE_VOCAB) + _synthetic_words() + [w.lower() for w in extra_words]
    return sorted(set(w for w in words if re.fullmatch(r"[a-z0-9'-]+", w)))


def make_tiny_wan(out_dir: str, seed: int = 0, extra_words: Iterable[str] = (),
                  arch: Optional[dict] = None, weights: str = 'random',
                  case_sensitive: bool = False) -> str:
    """Writes a tiny, randomly initialised diffusers-format Wan 2.1 T2V folder.

    Layout: ``transformer/ vae/ text_encoder/ tokenizer/ scheduler/ model_index.json``.

    Args:
        out_dir (str): Output folder.
        seed (int): Seed of the random initialisation.
        extra_words (Iterable[str]): More tokenizer words.
        arch (dict, optional): Architecture (defaults to ``TINY_WAN``).
        weights (str): ``'random'`` (randomly initialised weights saved with
            ``save_pretrained``) or ``'none'`` (only the ``config.json`` files: enough
            to build the architecture, e.g. the real size on the meta device).
        case_sensitive (bool): A case-sensitive tokenizer (as UMT5's) whose
            vocabulary also holds each word capitalised. Defaults to False.

    Returns:
        str: ``out_dir``.
    """
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    arch = arch or TINY_WAN
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(seed)

    def kwargs(d):
        return {k: v for k, v in d.items() if not k.startswith('_') and k != 'architectures'}

    if weights not in ('random', 'none'):
        raise ValueError(f"weights must be 'random' or 'none', got {weights!r}")
    words = tokenizer_words(extra_words)
    if case_sensitive:
        words += [w.capitalize() for w in words if w.capitalize() != w]
    if weights == 'none':
        write_wan_configs(out_dir, arch)
        build_offline_tokenizer(words, os.path.join(out_dir, 'tokenizer'),
                                lower_case=not case_sensitive)
        return out_dir
    WanTransformer3DModel(**kwargs(arch['transformer'])).save_pretrained(
        os.path.join(out_dir, 'transformer'))
    AutoencoderKLWan(**kwargs(arch['vae'])).save_pretrained(os.path.join(out_dir, 'vae'))
    te_cfg = dict(kwargs(arch['text_encoder']))
    te_cfg['vocab_size'] = max(te_cfg['vocab_size'], len(words) + 3)
    te_cfg.pop('model_type', None)
    UMT5EncoderModel(UMT5Config(**te_cfg)).save_pretrained(os.path.join(out_dir, 'text_encoder'))
    build_offline_tokenizer(words, os.path.join(out_dir, 'tokenizer'),
                            lower_case=not case_sensitive)
    UniPCMultistepScheduler(prediction_type='flow_prediction', use_flow_sigmas=True,
                            flow_shift=3.0).save_pretrained(os.path.join(out_dir, 'scheduler'))
    index = dict(_class_name='WanPipeline',
                 transformer=['diffusers', 'WanTransformer3DModel'],
                 vae=['diffusers', 'AutoencoderKLWan'],
                 text_encoder=['transformers', 'UMT5EncoderModel'],
                 tokenizer=['transformers', 'PreTrainedTokenizerFast'],
                 scheduler=['diffusers', 'UniPCMultistepScheduler'])
    with open(os.path.join(out_dir, 'model_index.json'), 'w') as f:
        json.dump(index, f, indent=2)
    return out_dir
