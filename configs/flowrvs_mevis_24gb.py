# The MeViS recipe on one 24 GB GPU (same data, schedule, loss and optimizer).
# Memory levers (docs/benchmarks/train_step.md measures each; "numerics" says whether a
# lever changes what is computed relative to configs/flowrvs_mevis.py):
#  - text embeddings from a store (tools/misc/cache_text_embeddings.py): the 5.7 B UMT5
#    is never loaded. Numerics: unchanged (bitwise the live encoder's embeddings, tested).
#  - DiT in bf16 with gradient checkpointing, as the recipe (and flowrvs_mevis.py).
#    Numerics: unchanged. AdamW's states follow the parameters (bf16), as in the
#    authors' code (bf16 DiT, torch AdamW); an update below half a bf16 step of its
#    weight is rounded away, in the recipe as here (fp32 master weights would keep it,
#    at 4 more bytes per parameter: see the note).
#  - VAE encoder in bf16. Numerics: CHANGED (z_v, z_m computed in bf16, returned fp32).
#  - fused AdamW (one kernel for all parameters). Numerics: the same update up to
#    rounding order.
#  - the fp32 EMA shadow kept in host memory and updated every 10 iterations, each
#    update applying the 10 per-step decays (TrainableFP32EMA compensate_interval).
#    Numerics: CHANGED slightly (the average samples the weights every 10th step over
#    the same horizon; equal to the every-step EMA when the weights hold within the 10
#    steps, tested); interval=1 (and device=None) is the recipe exactly.
#  - optional: `compile = True` (MMEngine compiles the model; docs/benchmarks/train_step.md).
#   python tools/misc/cache_text_embeddings.py configs/flowrvs_mevis.py \
#       --out data/mevis_text_embeddings
#   python tools/train.py configs/flowrvs_mevis_24gb.py
_base_ = './flowrvs_mevis.py'
text_store = 'data/mevis_text_embeddings'
model = dict(
    backbone=dict(gradient_checkpointing=True, dtype='bf16'),
    text_encoder=dict(cache_dir=text_store, cache_fallback=False),
    vae=dict(dtype='bf16'))
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-5, weight_decay=5e-4, fused=True))
custom_hooks = [dict(type='FP32EMAHook', ema_type='TrainableFP32EMA', momentum=1e-4,
                     decay_warmup=True, interval=10, device='cpu', priority=49)]
