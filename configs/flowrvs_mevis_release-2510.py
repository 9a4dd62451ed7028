# FlowRVS on MeViS as the first release (Oct 2025) ran: the VAE saw ImageNet-normalised
# frames ((x / 255 - mean) / std, mean 0.485/0.456/0.406, std 0.229/0.224/0.225), the
# mask latent was normalised by the VAE's latents_mean / latents_std (and denormalised
# before decoding), and the DiT used direct video injection (32-channel patch embedding).
# Use it to test a converted Oct-2025 checkpoint:
#   python tools/model_converters/flowrvs_official_to_mmflowrvs.py --release 2510 \
#       --dit FlowRVS_dit_mevis.pth --vae tuned_vae.pth --out flowrvs_mevis_2510.pth
#   python tools/test.py configs/flowrvs_mevis_release-2510.py flowrvs_mevis_2510.pth
# Everything else is configs/flowrvs_mevis.py (training with it follows that release).
_base_ = ['./flowrvs_mevis.py']
model = dict(
    data_preprocessor=dict(frame_norm='imagenet'),
    backbone=dict(use_dvi=True),
    vae=dict(normalize_mask_latent=True),
    mask_decoder=dict(latent_is_normalized=True))
