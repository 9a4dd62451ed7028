# FlowRVS on Wan 2.1 T2V 1.3B (docs/method.md), in fp32; the recipe configs set the DiT in
# bf16 with gradient checkpointing and the UMT5 in bf16. Every component reads its
# architecture from `wan_folder`, a local diffusers-format folder: the real
# Wan2.1-T2V-1.3B-Diffusers, or a toy one from tools/misc/make_tiny_wan.py.
wan_folder = 'data/Wan2.1-T2V-1.3B-Diffusers'

model = dict(
    type='FlowRVS',
    pretrained=wan_folder,
    data_preprocessor=dict(type='RVOSDataPreprocessor', size_divisor=16, temporal_divisor=4),
    backbone=dict(type='WanBackbone', use_dvi=True, gradient_checkpointing=False, dtype=None),
    # max_length: 256 tokens in training and testing in the authors' current public code
    # (their training used 64 before 2026-02; which one produced a release is not on record)
    text_encoder=dict(type='UMT5TextEncoder', max_length=256, dtype=None),
    vae=dict(type='WanVAEEncoder', normalize_mask_latent=False),
    objective=dict(type='FlowMatchingObjective', boundary_prob=0.5, beta=0.0),
    sampler=dict(type='FlowEulerSampler', num_steps=1, shift=3.0),
    mask_decoder=dict(type='WanMaskDecoder', latent_is_normalized=False, threshold=0.5),
    start_point_augmentation=True,
    # testing: each video runs as one clip (window=None, the reference inference;
    # dict(frames=W, overlap=O) runs long videos as blended windows; a child config sets
    # it with window=dict(_delete_=True, frames=W, overlap=O)) and its expressions
    # one at a time through the sampler and decoder (expression_batch=1: the masks of
    # the per-expression path); docs/benchmarks/inference.md
    test_cfg=dict(with_scores=False, expression_batch=1, window=None),
)
