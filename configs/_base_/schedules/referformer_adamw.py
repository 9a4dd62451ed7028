# ReferFormer's optimiser: AdamW lr 1e-4, backbone 5e-5, text encoder 1e-5 (when it is
# trained), weight decay 5e-4, gradient clipping at norm 0.1; the lr steps down 10x at
# the given epochs. Published schedules: RefCOCO/+/g pre-training 12 epochs (steps 8, 10),
# Ref-YouTube-VOS fine-tuning 6 epochs (steps 3, 5), 8 GPUs x 1 clip.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=5e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.5),
                                    'text_encoder': dict(lr_mult=0.1)}))
max_epochs = 6
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[3, 5], gamma=0.1)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=8)
