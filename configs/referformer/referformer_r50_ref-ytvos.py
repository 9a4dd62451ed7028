# ReferFormer (ResNet-50) on Ref-YouTube-VOS, the published fine-tuning recipe:
# from the RefCOCO/+/g pre-trained weights (referformer_r50_refcoco-pretrain.py; set
# load_from), 5-frame clips (an anchor, 2 frames within 3 of it, 2 more from the rest of
# the video), 5 queries, AdamW lr 1e-4 / backbone 5e-5 / weight decay 5e-4 / grad clip
# 0.1, 6 epochs with the lr divided by 10 after epochs 3 and 5, text encoder frozen,
# 8 GPUs x 1 clip; frames resized to a short side in 288-512 (max 640), or resized,
# cropped and resized again; test frames fit in 360 x 640. Published scores:
# docs/referformer.md.
#   tools/dist_train.sh configs/referformer/referformer_r50_ref-ytvos.py 8
_base_ = [
    '../_base_/models/referformer_r50.py',
    '../_base_/datasets/ref_ytvos.py',
    '../_base_/datasets/referformer_video_pipelines.py',
    '../_base_/schedules/referformer_adamw.py',
    '../_base_/default_runtime.py',
]
load_from = 'work_dirs/referformer_r50_refcoco-pretrain/epoch_12.pth'
model = dict(text_encoder=dict(freeze=True))

# one item per expression and anchor every 5 frames, as ReferFormer's Ref-YTVOS dataset
train_dataloader = dict(dataset=dict(anchor_stride=_base_.referformer_num_frames, min_num_frames=1,
                                     pipeline=_base_.referformer_train_pipeline))
# ReferFormer encodes each (video, expression) pair on its own: per-expression test items
test_dataloader = dict(dataset=dict(video_level=False, pipeline=_base_.referformer_test_pipeline))
# the valid split has no public masks: testing writes the server submission
train_cfg = dict(val_interval=1000)
val_dataloader = None
val_cfg = None
val_evaluator = None
test_evaluator = dict(type='RVOSMetric', format_only=True,
                      outfile_prefix='work_dirs/referformer_r50_ref-ytvos/submission',
                      submission_layout='ref-ytvos')
