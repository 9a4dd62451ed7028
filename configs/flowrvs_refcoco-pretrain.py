# Image pre-training on RefCOCO/+/g (mmdet's RefCocoDataset, images as 1-frame clips).
_base_ = [
    '_base_/models/flowrvs_wan2.1_t2v_1.3b.py',
    '_base_/datasets/refcoco.py',
    '_base_/schedules/schedule_50e.py',
    '_base_/default_runtime.py',
]
# the paper's precision: DiT in bf16 with gradient checkpointing, UMT5 in bf16
model = dict(backbone=dict(gradient_checkpointing=True, dtype='bf16'),
             text_encoder=dict(dtype='bf16'))
train_dataloader = dict(batch_size=4)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_interval=1000)
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
