# What the video RVOS dataset configs share (mevis.py, ref_ytvos.py, ref_davis.py,
# synthetic_rvos.py): the reference's training and test pipelines at the paper's size and
# the three dataloaders. A dataset config inherits this file and names its dataset type,
# data root and splits (and its own pipelines where they differ).
num_frames = 17  # reference training clip

train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=num_frames),  # anchor + 2 local + 14 global
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', backend='pil', short_sizes=[480], max_size=832, crop_prob=0.5,
         pre_sizes=[400, 500, 600], crop_range=(384, 600), size_divisor=32),
    dict(type='RVOSRandomFlip', prob=0.5),  # swaps left/right in the expression
    dict(type='PackRVOSInputs'),
]
test_pipeline = [
    dict(type='UniformSampleFrames', num_frames=None),  # the whole video as one clip
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),  # kept at the original size
    dict(type='InferenceResize', backend='pil', max_hw=(480, 832), size_divisor=16),
    dict(type='PackRVOSInputs'),
]

train_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        split='train',
        lower_case=True,  # training lower-cases, as the reference
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        test_mode=True,
        lower_case=False,  # the raw case at test, as the reference's inference
        video_level=True,  # one item per video: encoded once for all its expressions
        pipeline=test_pipeline))
test_dataloader = val_dataloader
