# ReferFormer (ResNet-50) on MeViS with the Ref-YouTube-VOS recipe of
# referformer_r50_ref-ytvos.py (5-frame clips, 5 queries, AdamW 1e-4 / backbone 5e-5,
# grad clip 0.1, 6 epochs, steps after 3 and 5, text encoder frozen, from the RefCOCO/+/g
# pre-trained weights); validation on valid_u (local GT). Published scores:
# docs/referformer.md.
#   tools/dist_train.sh configs/referformer/referformer_r50_mevis.py 8
_base_ = [
    '../_base_/models/referformer_r50.py',
    '../_base_/datasets/mevis.py',
    '../_base_/datasets/referformer_video_pipelines.py',
    '../_base_/schedules/referformer_adamw.py',
    '../_base_/default_runtime.py',
]
load_from = 'work_dirs/referformer_r50_refcoco-pretrain/epoch_12.pth'
model = dict(text_encoder=dict(freeze=True))

train_dataloader = dict(dataset=dict(anchor_stride=_base_.referformer_num_frames,
                                     pipeline=_base_.referformer_train_pipeline))
# ReferFormer encodes each (video, expression) pair on its own: per-expression test items
val_dataloader = dict(dataset=dict(split='valid_u', video_level=False,
                                   pipeline=_base_.referformer_test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator
