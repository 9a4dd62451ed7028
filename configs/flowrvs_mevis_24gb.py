# The MeViS recipe on one 24 GB GPU (same data, schedule, loss and optimizer).
# Memory levers (docs/benchmarks/train_step.md measures each):
#  - text embeddings from a store (tools/misc/cache_text_embeddings.py): the 5.7 B UMT5
#    is never loaded; identical embeddings (bitwise, tested).
#  - DiT in bf16 with gradient checkpointing, as the authors train it; AdamW states
#    follow the parameters (bf16): 5.7 GB instead of 11.4 GB in fp32.
#  - VAE encoder in bf16: changes numerics (z_v, z_m computed in bf16, returned in fp32).
#  - fused AdamW (one kernel for all parameters; same update up to rounding order).
#  - the fp32 EMA shadow (5.7 GB) kept in host memory, updated every 10 iterations
#    (changes the EMA: 1/10 of the updates at the same momentum; interval=1 is the recipe).
#  - optional: `compile = True` (MMEngine compiles the model).
#   python tools/misc/cache_text_embeddings.py configs/flowrvs_mevis.py --out data/mevis_text_embeddings
#   python tools/train.py configs/flowrvs_mevis_24gb.py
_base_ = './flowrvs_mevis.py'
text_store = 'data/mevis_text_embeddings'
model = dict(
    backbone=dict(gradient_checkpointing=True, dtype='bf16'),
    text_encoder=dict(cache_dir=text_store, cache_fallback=False),
    vae=dict(dtype='bf16'))
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-5, weight_decay=5e-4, fused=True))
custom_hooks = [dict(type='EMAHook', ema_type='TrainableFP32EMA', momentum=1e-4,
                     interval=10, device='cpu', priority=49)]
