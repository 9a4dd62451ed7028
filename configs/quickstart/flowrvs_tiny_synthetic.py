# Stage 2 of the built-in quickstart: FlowRVS on the synthetic benchmark with a toy Wan
# folder (tools/quickstart.py makes both). Same model and tools as the real recipe.
_base_ = [
    '../_base_/models/flowrvs_wan2.1_t2v_1.3b.py',
    '../_base_/datasets/synthetic_rvos.py',
    '../_base_/default_runtime.py',
]
wan_folder = 'work_dirs/quickstart/wan_tiny'
# The quickstart's videos have 9 frames and a training clip is 9 consecutive frames, so
# the whole video: with a fixed resize, clips repeat (up to the flip) and the frozen
# encoder's posteriors are cached instead of recomputed (key: the clip's contents).
# (The reference sampler, ReferenceSampleFrames, draws frames with repeats: few clips
# would recur.)
# The quickstart infers in one Euler step (N = 1), which only queries the velocity at the
# video end (s = 1): BBS with p = 1 trains only there (the paper's "single-step velocity
# prediction"). Measurements behind these settings: docs/quickstart_notes.md.
model = dict(pretrained=wan_folder, text_encoder=dict(max_length=32),
             vae=dict(cache_size=50000), objective=dict(boundary_prob=1.0))
train_pipeline = [
    dict(type='UniformSampleFrames', num_frames=9, mode='consecutive', short_video='repeat'),
    # the 9216 training frames (113 MB) stay decoded
    dict(type='LoadRVOSFrames', cache_frames=10000),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', short_sizes=[64], max_size=128, crop_prob=0.0,
         size_divisor=16),
    dict(type='RVOSRandomFlip', prob=0.5),
    dict(type='PackRVOSInputs'),
]
# InfiniteSampler: mmengine's IterBasedTrainLoop sleeps 2 s at every epoch end of a
# finite sampler
train_dataloader = dict(batch_size=16, sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset=dict(pipeline=train_pipeline))
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator

max_iters = 4300
# warm-up, beta2 0.99 and weight decay 0.2: the toy DiT memorises 1024 videos otherwise
optim_wrapper = dict(
    type='OptimWrapper',
    # foreach: one fused update over all parameters
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.99), weight_decay=0.2, foreach=True),
    clip_grad=dict(max_norm=1.0))
warmup_iters = 200
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters, end=max_iters,
         eta_min=1e-5)]
# tools/quickstart.py tests right after training: no validation pass here (val_begin)
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_begin=max_iters + 1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
log_processor = dict(window_size=50, by_epoch=False)
