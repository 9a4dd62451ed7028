# The MeViS recipe with FSDP (MMEngine FlexibleRunner, FULL_SHARD): parameters,
# gradients and AdamW states of the 1.4 B DiT sharded over the processes; the frozen
# VAE encoder and mask decoder (fp32) and a live text encoder are sharded too (no
# gradients, no optimizer states). Units never mix dtypes (bf16 DiT, fp32 VAE):
# `dtype_uniform_wrap_policy`. Gradient clipping at norm 1.0 is over the whole
# (sharded) gradient: `ShardedClipOptimWrapper`. On a CPU-only machine it runs on gloo.
# No EMA: MMEngine's EMAHook deep-copies the model, and FSDP has sharded it (an EMA of
# the shards is not written yet; tools/train.py refuses an EMAHook with FSDP).
# Pair it with the text-embedding store (`model.text_encoder.cache_dir`, as in
# flowrvs_mevis_24gb.py) to keep the 5.7 B UMT5 off every process.
#   tools/dist_train.sh configs/flowrvs_mevis_fsdp.py 8
_base_ = './flowrvs_mevis.py'
runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        type='FSDPIgnoringSubmodules',
        # frozen, fp32, called through encode() (FSDP gathers only in forward()):
        # a full copy on every process
        ignored_submodules=['vae', 'mask_decoder'],
        auto_wrap_policy=dict(type='mmflowrvs.engine.fsdp.dtype_uniform_wrap_policy',
                              min_num_params=int(1e7)),
        use_orig_params=True),  # frozen and trainable parameters in one model
    state_dict_cfg='full')
optim_wrapper = dict(_delete_=True, type='ShardedClipOptimWrapper',
                     optimizer=dict(type='AdamW', lr=5e-5, weight_decay=5e-4),
                     clip_grad=dict(max_norm=1.0, norm_type=2))
custom_hooks = []
