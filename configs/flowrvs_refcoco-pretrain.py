# Image pre-training on RefCOCO/+/g (mmdet's RefCocoDataset, images as 1-frame clips).
_base_ = [
    '_base_/models/flowrvs_wan2.1_t2v_1.3b.py',
    '_base_/datasets/refcoco.py',
    '_base_/schedules/schedule_50e.py',
    '_base_/default_runtime.py',
]
wan_folder = 'data/Wan2.1-T2V-1.3B-Diffusers'
model = dict(
    pretrained=wan_folder,
    backbone=dict(use_dvi=True, gradient_checkpointing=True, dtype='bf16'),
    text_encoder=dict(max_length=256, dtype='bf16'))
train_dataloader = dict(batch_size=4)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_interval=1000)
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
# EMA decay 0.9999 with diffusers EMAModel's warm-up, as the reference trains; the fp32
# shadow stays exact through validation (FP32EMAHook)
custom_hooks = [dict(type='FP32EMAHook', ema_type='TrainableFP32EMA', momentum=1e-4,
                     decay_warmup=True, priority=49)]
