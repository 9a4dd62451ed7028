"""Helpers for tests, tools and benchmarks: toy Wan and RoBERTa folders written locally.

Nothing in the models or datasets imports this package.
"""
from .tiny_roberta import TINY_ROBERTA, make_tiny_roberta
from .tiny_wan import BASE_VOCAB, build_offline_tokenizer, make_tiny_wan
from .wan_architectures import TINY_WAN, WAN21_T2V_1_3B, write_wan_configs

__all__ = ['BASE_VOCAB', 'TINY_ROBERTA', 'TINY_WAN', 'WAN21_T2V_1_3B', 'build_offline_tokenizer',
           'make_tiny_roberta', 'make_tiny_wan', 'write_wan_configs']
