"""Architectures of the Wan 2.1 T2V components, real size and toy size.

The real-size values are those of the diffusers-format folder
``Wan2.1-T2V-1.3B-Diffusers`` (see shared/spec/method.md). ``write_wan_configs``
writes a folder's ``config.json`` files without weights, which is enough to
instantiate the real-size model on the meta device; ``make_tiny_wan`` (in
:mod:`mmflowrvs.utils.tiny_wan`) writes a complete, randomly initialised toy folder.
"""
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

TINY_WAN: Dict[str, dict] = dict(
    transformer=dict(
        _class_name='WanTransformer3DModel',
        patch_size=[1, 2, 2], num_attention_heads=2, attention_head_dim=24,
        in_channels=16, out_channels=16, text_dim=32, freq_dim=32, ffn_dim=96,
        num_layers=2, cross_attn_norm=True, qk_norm='rms_norm_across_heads', eps=1e-6,
        image_dim=None, added_kv_proj_dim=None, rope_max_seq_len=1024),
    vae=dict(
        _class_name='AutoencoderKLWan',
        base_dim=8, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=1, attn_scales=[],
        temperal_downsample=[False, True, True], dropout=0.0),
    text_encoder=dict(
        architectures=['UMT5EncoderModel'], model_type='umt5',
        vocab_size=512, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=2,
        num_heads=4, relative_attention_num_buckets=32, relative_attention_max_distance=128,
        dropout_rate=0.0, layer_norm_epsilon=1e-6, feed_forward_proj='gated-gelu',
        tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0),
)

#: The quickstart's toy: ``TINY_WAN`` with a 4-layer, 128-wide DiT on 4x4 latent patches
#: and a VAE with two down-sampling stages (4x spatial, 4x temporal instead of Wan's 8x /
#: 4x): on 64x64 frames its latent is 16x16, so a shape of radius 8-13 pixels covers
#: several latent cells. Measured on cached latents of the quickstart's data (held-out
#: mask IoU): 0.10 with the 8x VAE against 0.31 with this one after 300 DiT steps; then
#: 0.41 with 4x4 patches after 1500 steps against 0.31 with 2x2 patches in the same time
#: (360 s: a 4x4 patch has 4x fewer tokens). The code reads the compression from the VAE
#: and the patch from the DiT; nothing assumes 8x or 2x2.
QUICKSTART_WAN: Dict[str, dict] = dict(
    TINY_WAN,
    transformer=dict(TINY_WAN['transformer'], patch_size=[1, 4, 4], num_attention_heads=4,
                     attention_head_dim=32, ffn_dim=256, num_layers=4),
    vae=dict(TINY_WAN['vae'], dim_mult=[1, 2, 4], temperal_downsample=[True, True]))

WAN_SUBFOLDERS = ('transformer', 'vae', 'text_encoder', 'tokenizer')


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


def check_wan_folder(folder: str, subfolders=WAN_SUBFOLDERS) -> None:
    """Raises a clear error if ``folder`` is not a diffusers-format Wan folder.

    Args:
        folder (str): The folder given as ``model.pretrained``.
        subfolders (tuple[str]): Subfolders that must exist, each with its
            ``config.json`` (tokenizer: ``tokenizer_config.json``).
    """
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f'Wan folder not found: {folder!r} (model.pretrained must name a local '
            'diffusers-format Wan 2.1 folder, e.g. Wan2.1-T2V-1.3B-Diffusers, or one '
            'made by tools/misc/make_tiny_wan.py)')
    for sub in subfolders:
        path = os.path.join(folder, sub)
        marker = 'tokenizer_config.json' if sub == 'tokenizer' else 'config.json'
        if not os.path.isfile(os.path.join(path, marker)):
            raise FileNotFoundError(
                f'Wan folder {folder!r} is missing {sub}/{marker}: expected the '
                f'diffusers layout with subfolders {", ".join(subfolders)}')
