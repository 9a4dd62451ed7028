# ReferFormer (ResNet-50) image pre-training on RefCOCO/+/g as published: each image a
# 1-frame clip, 5 queries, text encoder trained (lr 1e-5), AdamW lr 1e-4 / backbone 5e-5 /
# weight decay 5e-4 / grad clip 0.1, 12 epochs with the lr divided by 10 after epochs 8
# and 10, 8 GPUs x 2 images. ReferFormer trains on the union of the three datasets; this
# config reads one (refer_set / split_file, see _base_/datasets/refcoco.py): concatenate
# the three with a ConcatDataset to match. The image resize here is the Ref-YouTube-VOS
# one of referformer_r50_ref-ytvos.py, not ReferFormer's pre-training transform.
#   tools/dist_train.sh configs/referformer/referformer_r50_refcoco-pretrain.py 8
_base_ = [
    '../_base_/models/referformer_r50.py',
    '../_base_/datasets/refcoco.py',
    '../_base_/schedules/referformer_adamw.py',
    '../_base_/default_runtime.py',
]
train_pipeline = [
    dict(type='mmflowrvs.ImageToRVOSClip'),
    dict(type='mmflowrvs.ReferenceTrainResize', backend='pil',
         short_sizes=[288, 320, 352, 392, 416, 448, 480, 512], max_size=640, crop_prob=0.5,
         pre_sizes=[400, 500, 600], crop_range=(384, 600), size_divisor=32),
    dict(type='mmflowrvs.RVOSRandomFlip', prob=0.5),
    dict(type='mmflowrvs.PackRVOSInputs'),
]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
max_epochs = 12
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[8, 10], gamma=0.1)]
train_cfg = dict(max_epochs=max_epochs, val_interval=1000)
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
