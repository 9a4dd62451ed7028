import pytest
import torch

from mmflowrvs.models.decoders import WanMaskDecoder
from mmflowrvs.models.vaes import WanVAEEncoder


def test_video_latent_normalised_posterior_mean_and_spa(tiny_wan_dir):
    enc = WanVAEEncoder(pretrained=tiny_wan_dir)
    x = torch.rand(1, 3, 9, 32, 48) * 2 - 1
    mean, std = enc.posterior(x)
    assert mean.shape == (1, 16, 3, 4, 6)
    z = enc.encode_video(x)
    torch.testing.assert_close(z, (mean - enc.latents_mean) / enc.latents_std)
    g = torch.Generator().manual_seed(3)
    z_spa = enc.encode_video(x, sample=True, generator=g)
    eps = torch.randn(mean.shape, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(z_spa, enc.normalize(mean + std * eps))
    with pytest.raises(ValueError, match='1 \\(mod 4\\)'):
        enc.posterior(x[:, :, :8])


def test_mask_latent_is_the_unnormalised_mean_of_the_pm1_mask(tiny_wan_dir):
    enc = WanVAEEncoder(pretrained=tiny_wan_dir)
    m = torch.zeros(1, 5, 16, 16, dtype=torch.bool)
    m[:, :, 4:10, 2:8] = True
    x = m.float().unsqueeze(1).repeat(1, 3, 1, 1, 1) * 2 - 1
    torch.testing.assert_close(enc.encode_mask(m), enc.posterior(x)[0])
    enc_norm = WanVAEEncoder(pretrained=tiny_wan_dir, normalize_mask_latent=True)
    torch.testing.assert_close(enc_norm.encode_mask(m), enc.normalize(enc.posterior(x)[0]))


def test_decoder_outputs_unclamped_one_channel_logits(tiny_wan_dir):
    dec = WanMaskDecoder(pretrained=tiny_wan_dir)
    conv = dec.vae.decoder.conv_out
    assert conv.out_channels == 1 and conv.kernel_size == (3, 3, 3)
    assert conv._padding[4] == 2 and conv._padding[5] == 0  # causal in time
    with torch.no_grad():
        conv.bias.fill_(5.0)
    logits = dec(torch.randn(2, 16, 3, 4, 6))
    assert logits.shape == (2, 1, 9, 32, 48)
    assert logits.max() > 1.5  # AutoencoderKLWan.decode would clamp at 1
    masks = dec.logits_to_masks(dec.resize_logits(logits, (50, 70)))
    assert masks.shape == (2, 9, 50, 70) and masks.dtype == torch.bool


def test_resize_clamps_first_as_the_reference_decode(tiny_wan_dir):
    """Logits [3, -1] resized from 2 to 3 pixels: the middle one is 1.0 from raw
    logits (mask) but 0.0 from clamped ones (no mask), as AutoencoderKLWan.decode
    clamps before the reference resizes."""
    logits = torch.tensor([3.0, -1.0]).view(1, 1, 1, 1, 2)  # (N, 1, T, H, W)
    dec = WanMaskDecoder(pretrained=tiny_wan_dir)
    assert dec.clamp_before_resize
    torch.testing.assert_close(dec.resize_logits(logits, (1, 3)).flatten(),
                               torch.tensor([1.0, 0.0, -1.0]))
    dec.clamp_before_resize = False
    torch.testing.assert_close(dec.resize_logits(logits, (1, 3)).flatten(),
                               torch.tensor([3.0, 1.0, -1.0]))


def test_decoder_is_causal_in_time(tiny_wan_dir):
    dec = WanMaskDecoder(pretrained=tiny_wan_dir)
    z = torch.randn(1, 16, 3, 4, 4)
    z2 = z.clone()
    z2[:, :, 2] += 1.0
    a, b = dec(z), dec(z2)
    torch.testing.assert_close(a[:, :, :5], b[:, :, :5])  # frames 0..4 depend on latents 0..1
    assert not torch.allclose(a[:, :, 5:], b[:, :, 5:])


def test_decoder_gradients_flow(tiny_wan_dir):
    dec = WanMaskDecoder(pretrained=tiny_wan_dir)
    dec(torch.randn(1, 16, 2, 4, 4)).mean().backward()
    assert dec.vae.decoder.conv_out.weight.grad is not None


def test_posterior_cache_returns_the_uncached_posterior_and_skips_repeats(tiny_wan_dir):
    torch.manual_seed(0)
    plain = WanVAEEncoder(tiny_wan_dir)
    cached = WanVAEEncoder(tiny_wan_dir, cache_size=2)
    x = torch.rand(2, 3, 5, 16, 16) * 2 - 1
    calls = []
    uncached = cached._posterior_uncached
    cached._posterior_uncached = lambda clips: calls.append(len(clips)) or uncached(clips)
    for _ in range(2):
        mean, std = cached.posterior(x)
        ref_mean, ref_std = plain.posterior(x)
        assert torch.allclose(mean, ref_mean, atol=1e-6) and torch.allclose(std, ref_std, atol=1e-6)
    assert calls == [2]  # the second call was served from the cache
    y = torch.cat([x[:1], -x[1:]])  # one clip seen, one new
    cached.posterior(y)
    assert calls == [2, 1]
    assert len(cached._cache) == 2  # LRU bound: the least recent clip was dropped
    cached.posterior(x[1:])
    assert calls == [2, 1, 1]


def test_mask_latents_are_cached_on_the_mask_itself(tiny_wan_dir):
    plain = WanVAEEncoder(tiny_wan_dir)
    cached = WanVAEEncoder(tiny_wan_dir, cache_size=8)
    calls = []
    uncached = cached._posterior_uncached
    cached._posterior_uncached = lambda clips: calls.append(len(clips)) or uncached(clips)
    masks = (torch.rand(2, 5, 16, 16) > 0.5).float()
    for _ in range(2):
        assert torch.allclose(cached.encode_mask(masks), plain.encode_mask(masks), atol=1e-6)
    assert calls == [2]
    flipped = masks.flip(-1)
    assert torch.allclose(cached.encode_mask(flipped), plain.encode_mask(flipped), atol=1e-6)
    assert calls == [2, 2]
    # frames equal to a mask's encoder input are another entry, with the same posterior
    frames = masks.unsqueeze(1).repeat(1, 3, 1, 1, 1) * 2 - 1
    assert torch.allclose(cached.posterior(frames)[0], cached.encode_mask(masks), atol=1e-6)
    assert calls == [2, 2, 2]


def test_rgb_mean_conv_out_starts_from_the_vae_reconstruction(tiny_wan_dir):
    from diffusers import AutoencoderKLWan
    vae = AutoencoderKLWan.from_pretrained(tiny_wan_dir, subfolder='vae')
    dec = WanMaskDecoder(tiny_wan_dir, conv_out_init='rgb_mean')
    z = torch.randn(1, 16, 2, 4, 4)
    with torch.no_grad():
        rgb = vae.decode(z).sample  # clamped to [-1, 1]
        logits = dec(z)
    inside = rgb.abs().amax(1, keepdim=True) < 0.99  # where the clamp did nothing
    assert torch.allclose(logits[inside], rgb.mean(1, keepdim=True)[inside], atol=1e-5)
    with pytest.raises(ValueError, match='conv_out_init'):
        WanMaskDecoder(tiny_wan_dir, conv_out_init='zeros')


@pytest.mark.parametrize('t', [1, 5, 6, 12, 13])
def test_chunked_video_encode_equals_the_one_shot_encode(tiny_wan_dir, t):
    """Wan's encoder is causal and diffusers encodes frame 0, then 4 frames at a time
    with a feature cache: fed chunk by chunk, the latent is bit for bit the one-shot
    encode of the clip padded (last frame repeated) to 1 (mod 4), and no more than 4
    frames are asked for at once."""
    enc = WanVAEEncoder(pretrained=tiny_wan_dir)
    g = torch.Generator().manual_seed(t)
    clip = torch.rand(1, 3, t, 16, 24, generator=g) * 2 - 1
    padded = 1 + -(-(t - 1) // 4) * 4
    one_shot = enc.encode_video(torch.cat(
        [clip, clip[:, :, -1:].expand(-1, -1, padded - t, -1, -1)], 2))
    asked = []

    def frames_fn(a, b):
        asked.append((a, b))
        return clip[:, :, a:b].clone()

    chunked = enc.encode_video_chunked(frames_fn, t)
    assert chunked.shape == one_shot.shape == (1, 16, 1 + (padded - 1) // 4, 2, 3)
    assert torch.equal(chunked, one_shot)
    assert asked[0] == (0, 1) and max(b - a for a, b in asked) <= 4
    assert [a for a, _ in asked] == list(range(0, 1)) + list(range(1, padded, 4))
    # a second encode starts from an empty cache (no state carried between videos)
    assert torch.equal(enc.encode_video_chunked(frames_fn, t), one_shot)
