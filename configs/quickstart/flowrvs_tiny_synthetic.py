# Stage 2 of the built-in quickstart: FlowRVS on the synthetic benchmark with a toy Wan
# folder (tools/quickstart.sh makes both). Same model and tools as the real recipe.
_base_ = [
    '../_base_/models/flowrvs_wan2.1_t2v_1.3b.py',
    '../_base_/datasets/synthetic_rvos.py',
    '../_base_/default_runtime.py',
]
wan_folder = 'work_dirs/quickstart/wan_tiny'
model = dict(pretrained=wan_folder, text_encoder=dict(max_length=32))

train_dataloader = dict(batch_size=4)
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=5e-4),
    clip_grad=dict(max_norm=1.0))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=400, val_interval=400)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(by_epoch=False, interval=400, max_keep_ckpts=2))
log_processor = dict(window_size=10, by_epoch=False)
inference_max_size = (64, 64)
