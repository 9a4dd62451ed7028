"""A transformers text encoder (RoBERTa in ReferFormer) giving word and sentence features."""
import os
from typing import Dict, List, Optional

import torch
import torch.nn as nn

from mmflowrvs.registry import MODELS
from mmflowrvs.utils.text_utils import clean_expression

from ..utils import freeze as freeze_module
from .prompt_truncation import warn_truncated_prompts


@MODELS.register_module()
class RobertaTextEncoder(nn.Module):
    """Encodes referring expressions with a transformers encoder loaded from a folder.

    ``AutoTokenizer`` / ``AutoModel.from_pretrained(pretrained)`` (a local folder in the
    transformers format: ``roberta-base`` as ReferFormer, or the toy one of
    ``tools/misc/make_tiny_roberta.py``; never a hub name). Prompts are cleaned like
    FlowRVS's (``clean_expression``, case kept) and padded to the longest in the batch.

    Args:
        pretrained (str): The model folder (with its tokenizer files).
        max_length (int): Tokens kept per prompt (special tokens included); longer
            prompts are cut, with a warning. Defaults to 64.
        freeze (bool): Frozen weights, always in eval mode (ReferFormer's
            Ref-YouTube-VOS recipe). Defaults to False.
        tokenizer_path (str, optional): Another folder for the tokenizer.
    """

    def __init__(self, pretrained: str, max_length: int = 64, freeze: bool = False,
                 tokenizer_path: Optional[str] = None) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer
        if not pretrained or not os.path.isfile(os.path.join(pretrained, 'config.json')):
            raise FileNotFoundError(
                f'model.text_encoder.pretrained={pretrained!r} is not a transformers model '
                'folder (no config.json): point it at a local roberta-base folder, or make '
                'a toy one with tools/misc/make_tiny_roberta.py')
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_path or pretrained)
        self.encoder = AutoModel.from_pretrained(pretrained)
        if getattr(self.encoder, 'pooler', None) is None:
            raise ValueError(f'the model in {pretrained!r} has no pooler: ReferFormer uses '
                             'its pooled output as the sentence feature')
        limit = getattr(self.encoder.config, 'max_position_embeddings', max_length)
        if getattr(self.encoder.config, 'model_type', '') == 'roberta':
            limit -= self.encoder.config.pad_token_id + 1  # RoBERTa's offset positions
        if max_length > limit:
            raise ValueError(f'model.text_encoder.max_length={max_length} exceeds the '
                             f'{limit} positions of the model in {pretrained!r}')
        self.max_length = max_length
        self.embed_dim = self.encoder.config.hidden_size
        self.frozen = freeze
        self._truncated: set = set()
        if freeze:
            freeze_module(self.encoder)

    def train(self, mode: bool = True) -> 'RobertaTextEncoder':
        """A frozen encoder stays in eval mode (no dropout)."""
        super().train(mode and not self.frozen)
        return self

    def forward(self, prompts: List[str]) -> Dict[str, torch.Tensor]:
        """Encodes a batch of prompts.

        Args:
            prompts (list[str]): Referring expressions.

        Returns:
            dict: ``words`` (B, L, D) last hidden states, ``pad_mask`` (B, L) bool,
            True at padding, and ``sentence`` (B, D) pooled output.
        """
        cleaned = [clean_expression(p, lower=False) for p in prompts]
        for raw, text in zip(prompts, cleaned):
            if not text:
                raise ValueError(f'empty referring expression {raw!r} reached the text encoder')
        warn_truncated_prompts(self.tokenizer, cleaned, self.max_length, self._truncated)
        device = next(self.encoder.parameters()).device
        tokens = self.tokenizer(cleaned, padding='longest', truncation=True,
                                max_length=self.max_length, return_tensors='pt').to(device)
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.frozen):
            out = self.encoder(input_ids=tokens.input_ids, attention_mask=tokens.attention_mask)
        return dict(words=out.last_hidden_state, pad_mask=tokens.attention_mask == 0,
                    sentence=out.pooler_output)
