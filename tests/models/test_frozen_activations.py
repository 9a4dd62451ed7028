"""No frozen module (VAE encoder, text encoder) keeps activations for backward in a
training step, and the VAE's causal feature cache is empty before the DiT runs."""
import torch

from ._builders import build_tiny_flowrvs, make_batch


def _saved_for_backward_by_part(model, data):
    """Tensors autograd saved during one loss forward, per top-level component."""
    parts = {'vae': model.vae, 'text_encoder': model.text_encoder, 'backbone': model.backbone}
    inside, saved = [], {name: 0 for name in parts}
    handles = []
    def enter(name):
        def hook(module, args):
            inside.append(name)
        return hook

    def leave(module, args, output):
        inside.pop()

    for name, part in parts.items():
        for mod in part.modules():  # the VAE is called through encode(): hook every module
            handles.append(mod.register_forward_pre_hook(enter(name)))
            handles.append(mod.register_forward_hook(leave))

    def pack(t):
        if inside:
            saved[inside[-1]] += 1
        return t

    vae_cache_at_dit = []
    def look_at_vae_cache(module, args):
        vae_cache_at_dit.append(list(model.vae.vae._enc_feat_map))

    handles.append(model.backbone.register_forward_pre_hook(look_at_vae_cache))
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = model(**data, mode='loss')['loss_flow']
    for h in handles:
        h.remove()
    return saved, loss, vae_cache_at_dit


def test_frozen_parts_save_nothing_for_backward(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir).train()
    data = model.data_preprocessor(make_batch(num=2), True)
    saved, loss, cache = _saved_for_backward_by_part(model, data)
    assert saved['backbone'] > 0  # the DiT does (the hooks see saved tensors)
    assert saved['vae'] == 0 and saved['text_encoder'] == 0, saved
    assert model.text_encoder.encoder is not None  # the live encoder ran
    loss.backward()
    assert all(p.grad is None for p in model.vae.parameters())
    assert all(p.grad is None for p in model.text_encoder.parameters())
    # diffusers clears the encoder's causal-conv cache after encoding: nothing of the
    # VAE's activations is alive while the DiT runs
    assert cache and all(f is None for f in cache[0])


def test_the_probe_sees_a_frozen_module_that_keeps_activations(tiny_wan_dir):
    """The counting works: the same VAE encoder run with grad enabled is caught."""
    model = build_tiny_flowrvs(tiny_wan_dir).train()
    model.vae.posterior = lambda x, keys=None: model.vae._posterior_uncached(x)  # no no_grad
    model.vae.vae.requires_grad_(True)
    data = model.data_preprocessor(make_batch(num=1), True)
    saved, _, _ = _saved_for_backward_by_part(model, data)
    assert saved['vae'] > 0
