# Stage 1 of the built-in quickstart: fine-tune the 1-channel mask decoder on the
# synthetic benchmark's masks (frozen encoder), the same model as the MeViS stage 1.
_base_ = [
    '../_base_/datasets/synthetic_rvos.py',
    '../_base_/default_runtime.py',
]
wan_folder = 'work_dirs/quickstart/wan_tiny'
model = dict(
    type='MaskDecoderFinetuner',
    pretrained=wan_folder,
    vae=dict(type='WanVAEEncoder'),
    # stage 0 trained this VAE on masks too: start the 1-channel output from its
    # reconstruction instead of a fresh conv (a few dozen steps then suffice)
    mask_decoder=dict(type='WanMaskDecoder', conv_out_init='rgb_mean'),
    # alpha 0.5 (both classes weighted alike) instead of the MeViS recipe's 0.25: with 0.25 the
    # decoder leans to background where a latent is uncertain (docs/quickstart_notes.md)
    losses=dict(loss_focal=dict(type='SigmoidFocalLoss', alpha=0.5, gamma=2.0, loss_weight=8.0),
                loss_dice=dict(type='MaskDiceLoss', loss_weight=4.0)),
    sample_posterior=True)

train_dataloader = dict(batch_size=4)
# it reconstructs each expression's GT masks: per-expression test items, not video-level
val_dataloader = dict(dataset=dict(video_level=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.0),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=80, val_interval=80)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(by_epoch=False, interval=80, max_keep_ckpts=1))
log_processor = dict(window_size=10, by_epoch=False)
