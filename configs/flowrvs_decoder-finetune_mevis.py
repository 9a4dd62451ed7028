# Stage 1: fine-tune the 1-channel mask decoder on MeViS train masks (encoder frozen),
# sigmoid focal (alpha 0.25, gamma 2) x 8 + dice x 4, on resized (never cropped or
# flipped) clips. The authors never released this stage; its checkpoint's
# mask_decoder.* weights load into FlowRVS (load_from).
# Validation reports the mask IoU of reconstructions as J.
_base_ = [
    '_base_/datasets/mevis.py',
    '_base_/default_runtime.py',
]
wan_folder = 'data/Wan2.1-T2V-1.3B-Diffusers'
model = dict(
    type='MaskDecoderFinetuner',
    pretrained=wan_folder,
    vae=dict(type='WanVAEEncoder'),
    mask_decoder=dict(type='WanMaskDecoder'),
    losses=dict(loss_focal=dict(type='SigmoidFocalLoss', alpha=0.25, gamma=2.0, loss_weight=8.0),
                loss_dice=dict(type='MaskDiceLoss', loss_weight=4.0)),
    sample_posterior=True)
# The authors' decoder split resizes only (short side 480, long side <= 832): no crop,
# no flip (a flip would only mirror the masks; the expression is not used here). Sizes
# floored to multiples of 16, the VAE's.
decoder_train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=17),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', backend='pil', short_sizes=[480], max_size=832, crop_prob=0.0,
         size_divisor=16),
    dict(type='PackRVOSInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=decoder_train_pipeline))
# it reconstructs each expression's GT masks: per-expression test items, not video-level
val_dataloader = dict(dataset=dict(split='valid_u', video_level=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=10, eta_min=1e-6)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
