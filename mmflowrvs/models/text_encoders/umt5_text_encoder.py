"""Frozen UMT5 text encoder with prompt cleaning and an embedding cache."""
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn

from mmflowrvs.registry import MODELS
from mmflowrvs.utils.lru_cache import LRUCache
from mmflowrvs.utils.text_utils import clean_expression
from ..utils import freeze, resolve_subfolder, to_dtype
from .prompt_truncation import warn_truncated_prompts


@MODELS.register_module()
class UMT5TextEncoder(nn.Module):
    """Encodes prompts into Wan's text conditioning.

    Each prompt is tokenized with ``padding='max_length'`` and truncation; the
    encoder's last hidden state is trimmed to the prompt's true token count and
    zero-padded back to ``max_length`` (no attention mask goes to the DiT).

    A prompt is encoded once per run: trimmed embeddings are kept in an LRU cache
    keyed by the cleaned prompt (the encoder is frozen, so this is exact).

    Args:
        pretrained (str): The diffusers-format Wan folder.
        max_length (int): Token length of the conditioning. Defaults to 256.
        dtype (str, optional): Encoder weight dtype (e.g. ``'bf16'``).
        cache_size (int): Prompts kept in the cache (0 disables it).
        load_weights (bool): Load the weights (True) or only the config.
        text_subfolder (str): Defaults to ``'text_encoder'``.
        tokenizer_subfolder (str): Defaults to ``'tokenizer'``.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 max_length: int = 256,
                 dtype: Optional[str] = None,
                 cache_size: int = 100000,
                 load_weights: bool = True,
                 text_subfolder: str = 'text_encoder',
                 tokenizer_subfolder: str = 'tokenizer') -> None:
        super().__init__()
        from transformers import AutoTokenizer, UMT5Config, UMT5EncoderModel

        text_path = resolve_subfolder(pretrained, text_subfolder)
        tok_path = resolve_subfolder(pretrained, tokenizer_subfolder)
        self.tokenizer = AutoTokenizer.from_pretrained(tok_path)
        torch_dtype = to_dtype(dtype)
        if load_weights:
            self.encoder = UMT5EncoderModel.from_pretrained(text_path, dtype=torch_dtype)
        else:
            self.encoder = UMT5EncoderModel(UMT5Config.from_pretrained(text_path))
            if torch_dtype is not None:
                self.encoder.to(torch_dtype)
        freeze(self.encoder)
        self.max_length = max_length
        self.embed_dim = self.encoder.config.d_model
        self.cache_size = cache_size
        self._cache: LRUCache[torch.Tensor] = LRUCache(cache_size)
        self._truncated: set = set()  # prompts already warned about (cut to max_length)

    def train(self, mode: bool = True) -> 'UMT5TextEncoder':
        """Stays in eval mode: the encoder is frozen."""
        super().train(False)
        return self

    @torch.no_grad()
    def _encode_uncached(self, prompts: List[str]) -> List[torch.Tensor]:
        device = next(self.encoder.parameters()).device
        warn_truncated_prompts(self.tokenizer, prompts, self.max_length, self._truncated)
        tokens = self.tokenizer(prompts, padding='max_length', max_length=self.max_length,
                                truncation=True, add_special_tokens=True,
                                return_attention_mask=True, return_tensors='pt')
        ids = tokens.input_ids.to(device)  # (B, L)
        mask = tokens.attention_mask.to(device)  # (B, L)
        hidden = self.encoder(ids, mask).last_hidden_state  # (B, L, D)
        lengths = mask.sum(dim=1).tolist()
        return [h[:n].float().cpu() for h, n in zip(hidden, lengths)]

    def forward(self, prompts: Union[str, Sequence[str]]) -> torch.Tensor:
        """Encodes prompts.

        Args:
            prompts (str | list[str]): Raw prompts (cleaned here).

        Returns:
            Tensor: (B, max_length, D) float32 embeddings, zero past each prompt's tokens.

        Raises:
            ValueError: If a prompt is empty after cleaning.
        """
        if isinstance(prompts, str):
            prompts = [prompts]
        cleaned = []
        for p in prompts:
            if not isinstance(p, str) or not clean_expression(p, lower=False):
                raise ValueError(f'empty or non-string prompt: {p!r}; every expression '
                                 'needs at least one word')
            cleaned.append(clean_expression(p, lower=False))
        embeds = self._cache.get_or_compute(
            cleaned, lambda idx: self._encode_uncached([cleaned[i] for i in idx]))
        out = torch.zeros(len(cleaned), self.max_length, self.embed_dim)
        for i, emb in enumerate(embeds):
            out[i, :emb.shape[0]] = emb
        device = next(self.encoder.parameters()).device
        return out.to(device)

    @property
    def num_cached(self) -> int:
        """Number of prompts in the cache."""
        return len(self._cache)
