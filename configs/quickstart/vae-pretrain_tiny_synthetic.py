# Stage 0 of the built-in quickstart: a toy Wan folder's VAE is random, so a short
# pre-training on the synthetic frames and masks stands in for Wan's own pre-training.
# tools/misc/export_wan_vae.py then writes it into the quickstart's Wan folder.
_base_ = [
    '../_base_/datasets/synthetic_rvos.py',
    '../_base_/default_runtime.py',
]
wan_folder = 'work_dirs/quickstart/wan_random'
model = dict(type='WanVAEPretrainer', pretrained=wan_folder, kl_weight=1e-6, mask_weight=4.0)

train_dataloader = dict(batch_size=4)
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.0),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=400, val_interval=400)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(by_epoch=False, interval=400, max_keep_ckpts=1))
log_processor = dict(window_size=10, by_epoch=False)
