"""Frozen UMT5 text encoder with prompt cleaning, an embedding cache and a store."""
import json
import os
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn

from mmflowrvs.registry import MODELS
from mmflowrvs.utils.lru_cache import LRUCache
from mmflowrvs.utils.text_utils import clean_expression
from mmflowrvs.utils.wan_folder import wan_subfolder

from ..utils import freeze, to_dtype
from .embedding_store import TextEmbeddingStore, encoder_fingerprint
from .prompt_truncation import warn_truncated_prompts


@MODELS.register_module()
class UMT5TextEncoder(nn.Module):
    """Encodes prompts into Wan's text conditioning.

    Each prompt is tokenized with ``padding='max_length'`` and truncation; the
    encoder's last hidden state is trimmed to the prompt's true token count and
    zero-padded back to ``max_length`` (no attention mask goes to the DiT).

    A prompt is encoded once per run: trimmed embeddings are kept in an LRU cache
    keyed by the cleaned prompt (the encoder is frozen, so this is exact).

    With ``cache_dir`` the embeddings come from a store written by
    ``tools/misc/cache_text_embeddings.py`` and the UMT5 weights are never read (no
    encoder module is built; only the folder's file digests are checked against the
    store's fingerprint). A prompt missing from the store is an error, unless
    ``cache_fallback``: then the live encoder is built on first need and encodes it.

    Args:
        pretrained (str): The diffusers-format Wan folder.
        max_length (int): Token length of the conditioning. Defaults to 256.
        dtype (str, optional): Encoder weight dtype (e.g. ``'bf16'``).
        cache_size (int): Prompts kept in the cache (0 disables it).
        load_weights (bool): Load the weights (True) or only the config.
        text_subfolder (str): Defaults to ``'text_encoder'``.
        tokenizer_subfolder (str): Defaults to ``'tokenizer'``.
        cache_dir (str, optional): A text-embedding store folder.
        cache_fallback (bool): Encode prompts missing from the store with the
            live encoder (loaded then) instead of raising. Defaults to False.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 max_length: int = 256,
                 dtype: Optional[str] = None,
                 cache_size: int = 100000,
                 load_weights: bool = True,
                 text_subfolder: str = 'text_encoder',
                 tokenizer_subfolder: str = 'tokenizer',
                 cache_dir: Optional[str] = None,
                 cache_fallback: bool = False) -> None:
        super().__init__()
        self.text_path = wan_subfolder(pretrained, text_subfolder)
        self.tok_path = wan_subfolder(pretrained, tokenizer_subfolder)
        self.torch_dtype = to_dtype(dtype)
        self.load_weights = load_weights
        self.max_length = max_length
        self.cache_size = cache_size
        self._cache: LRUCache[torch.Tensor] = LRUCache(cache_size)
        self._truncated: set = set()  # prompts already warned about (cut to max_length)
        self.cache_fallback = cache_fallback
        self.store: Optional[TextEmbeddingStore] = None
        self.encoder: Optional[nn.Module] = None
        # follows .to(device) when no encoder is built (store mode)
        self.register_buffer('_device_anchor', torch.empty(0), persistent=False)
        if cache_dir is not None:
            self.store = TextEmbeddingStore(cache_dir, self.fingerprint())
            self.embed_dim = self.store.embed_dim
            with open(os.path.join(self.text_path, 'config.json')) as f:
                d_model = json.load(f)['d_model']
            if d_model != self.embed_dim:
                raise ValueError(f'store {cache_dir!r} holds {self.embed_dim}-d embeddings, '
                                 f'the encoder in {self.text_path!r} has d_model {d_model}')
        else:
            self._build_live_encoder()
            self.embed_dim = self.encoder.config.d_model

    def _build_live_encoder(self) -> None:
        """Loads the tokenizer and the (frozen) UMT5 encoder."""
        from transformers import AutoTokenizer, UMT5Config, UMT5EncoderModel
        self.tokenizer = AutoTokenizer.from_pretrained(self.tok_path)
        if self.load_weights:
            encoder = UMT5EncoderModel.from_pretrained(self.text_path, dtype=self.torch_dtype)
        else:
            encoder = UMT5EncoderModel(UMT5Config.from_pretrained(self.text_path))
            if self.torch_dtype is not None:
                encoder.to(self.torch_dtype)
        self.encoder = freeze(encoder).to(self._device_anchor.device)

    def fingerprint(self) -> dict:
        """Digests of what determines the embeddings (no weights are read)."""
        return encoder_fingerprint(self.text_path, self.tok_path, self.max_length,
                                   self.torch_dtype or torch.float32)

    def train(self, mode: bool = True) -> 'UMT5TextEncoder':
        """Stays in eval mode: the encoder is frozen."""
        super().train(False)
        return self

    @torch.no_grad()
    def encode_trimmed(self, prompts: List[str]) -> List[torch.Tensor]:
        """Runs the live encoder on cleaned prompts.

        Returns:
            list[Tensor]: (n_tokens_i, D) per prompt, in the encoder's dtype, on CPU.
        """
        if self.encoder is None:
            self._build_live_encoder()
        device = next(self.encoder.parameters()).device
        warn_truncated_prompts(self.tokenizer, prompts, self.max_length, self._truncated)
        tokens = self.tokenizer(prompts, padding='max_length', max_length=self.max_length,
                                truncation=True, add_special_tokens=True,
                                return_attention_mask=True, return_tensors='pt')
        ids = tokens.input_ids.to(device)  # (B, L)
        mask = tokens.attention_mask.to(device)  # (B, L)
        hidden = self.encoder(ids, mask).last_hidden_state  # (B, L, D)
        lengths = mask.sum(dim=1).tolist()
        return [h[:n].cpu() for h, n in zip(hidden, lengths)]

    def _encode_uncached(self, prompts: List[str]) -> List[torch.Tensor]:
        if self.store is not None:
            missing = [p for p in prompts if p not in self.store]
            if missing and not self.cache_fallback:
                raise KeyError(
                    f'prompt {missing[0]!r} is not in the text-embedding store '
                    f'{self.store.index_path} ({len(missing)} of {len(prompts)} prompts '
                    'missing); re-run tools/misc/cache_text_embeddings.py on these prompts '
                    'or set text_encoder.cache_fallback=True to encode them live')
            live = dict(zip(missing, self.encode_trimmed(missing))) if missing else {}
            return [(live[p] if p in live else self.store[p]).float() for p in prompts]
        return [e.float() for e in self.encode_trimmed(prompts)]

    @staticmethod
    def clean_prompts(prompts: Sequence[str]) -> List[str]:
        """Cleans prompts as :meth:`forward` does (the store's keys are these).

        Raises:
            ValueError: If a prompt is empty after cleaning.
        """
        cleaned = []
        for p in prompts:
            if not isinstance(p, str) or not clean_expression(p, lower=False):
                raise ValueError(f'empty or non-string prompt: {p!r}; every expression '
                                 'needs at least one word')
            cleaned.append(clean_expression(p, lower=False))
        return cleaned

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
        cleaned = self.clean_prompts(prompts)
        embeds = self._cache.get_or_compute(
            cleaned, lambda idx: self._encode_uncached([cleaned[i] for i in idx]))
        out = torch.zeros(len(cleaned), self.max_length, self.embed_dim)
        for i, emb in enumerate(embeds):
            out[i, :emb.shape[0]] = emb
        return out.to(self._device_anchor.device)

    @property
    def num_cached(self) -> int:
        """Number of prompts in the cache."""
        return len(self._cache)
