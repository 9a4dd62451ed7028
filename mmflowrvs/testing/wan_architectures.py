"""Architectures of the Wan 2.1 T2V components, real size and toy size, for tests
and benchmarks (the models read theirs from the Wan folder, never from here).

The real-size values are those of the diffusers-format folder
``Wan2.1-T2V-1.3B-Diffusers`` (docs/method.md). ``write_wan_configs`` writes a
folder's ``config.json`` files without weights, which is enough to instantiate the
real-size model on the meta device; :func:`~mmflowrvs.testing.make_tiny_wan` writes
a complete, randomly initialised toy folder.
"""
import copy
import json
import os
from typing import Dict

WAN21_T2V_1_3B: Dict[str, dict] = dict(
    transformer=dict(
        _class_name='WanTransformer3DModel',
        patch_size=[1, 2, 2], num_attention_heads=12, attention_head_dim=128,
        in_channels=16, out_channels=16, text_dim=4096, freq_dim=256, ffn_dim=8960,
        num_layers=30, cross_attn_norm=True, qk_norm='rms_norm_across_heads', eps=1e-6,
        image_dim=None, added_kv_proj_dim=None, rope_max_seq_len=1024),
    vae=dict(
        _class_name='AutoencoderKLWan',
        base_dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
        temperal_downsample=[False, True, True], dropout=0.0),
    text_encoder=dict(
        architectures=['UMT5EncoderModel'], model_type='umt5',
        vocab_size=256384, d_model=4096, d_kv=64, d_ff=10240, num_layers=24,
        num_decoder_layers=24, num_heads=64, relative_attention_num_buckets=32,
        relative_attention_max_distance=128, dropout_rate=0.1, layer_norm_epsilon=1e-6,
        feed_forward_proj='gated-gelu', tie_word_embeddings=False, pad_token_id=0,
        eos_token_id=1, decoder_start_token_id=0),
)


def _with_sizes(arch: Dict[str, dict], **sizes: dict) -> Dict[str, dict]:
    """A copy of ``arch`` with some values of some components replaced."""
    return {name: {**copy.deepcopy(cfg), **sizes.get(name, {})} for name, cfg in arch.items()}


# The real architecture at toy widths and depths (and no dropout), for tests.
TINY_WAN: Dict[str, dict] = _with_sizes(
    WAN21_T2V_1_3B,
    transformer=dict(num_attention_heads=2, attention_head_dim=24, text_dim=32, freq_dim=32,
                     ffn_dim=96, num_layers=2),
    vae=dict(base_dim=8, num_res_blocks=1),
    text_encoder=dict(vocab_size=512, d_model=32, d_kv=8, d_ff=64, num_layers=2,
                      num_decoder_layers=2, num_heads=4, dropout_rate=0.0),
)


def write_wan_configs(out_dir: str, arch: Dict[str, dict] = WAN21_T2V_1_3B) -> str:
    """Writes ``config.json`` of transformer/, vae/ and text_encoder/ (no weights).

    Args:
        out_dir (str): Folder to write into (created if needed).
        arch (dict): One of :data:`WAN21_T2V_1_3B` or :data:`TINY_WAN`.

    Returns:
        str: ``out_dir``.
    """
    for sub in ('transformer', 'vae', 'text_encoder'):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
        with open(os.path.join(out_dir, sub, 'config.json'), 'w') as f:
            json.dump(arch[sub], f, indent=2)
    return out_dir
