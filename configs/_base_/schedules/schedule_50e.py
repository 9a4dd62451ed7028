# The paper's recipe: AdamW 5e-5 / wd 5e-4, grad-norm clip 1.0, MultiStepLR (milestone 30,
# gamma 0.9), 50 epochs, EMA 0.9999 (fp32 shadow; MMEngine's momentum = 1 - decay).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-5, weight_decay=5e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[30], gamma=0.9)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# EMA of the trainable parameters, decay 0.9999 with diffusers EMAModel's warm-up as the
# reference trains; the fp32 shadow stays exact through validation (FP32EMAHook)
custom_hooks = [dict(type='FP32EMAHook', ema_type='TrainableFP32EMA', momentum=1e-4,
                     decay_warmup=True, priority=49)]
# lr is for 8 GPUs x 1 clip
auto_scale_lr = dict(enable=False, base_batch_size=8)
