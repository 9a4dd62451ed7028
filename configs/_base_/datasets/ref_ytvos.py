# Ref-YouTube-VOS (datasets.md): train with palette PNG masks; valid = valid - test videos
# (202), no GT (server).
dataset_type = 'RefYTVOSDataset'
data_root = 'data/ref-youtube-vos/'
num_frames = 17

train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=num_frames, reverse_prob=0.3),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', backend='pil', short_sizes=[480], max_size=832, crop_prob=0.5,
         pre_sizes=[400, 500, 600], crop_range=(384, 600), size_divisor=32),
    dict(type='RVOSRandomFlip', prob=0.5),
    dict(type='PackRVOSInputs'),
]
test_pipeline = [
    dict(type='UniformSampleFrames', num_frames=None),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
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
        type=dataset_type,
        data_root=data_root,
        split='train',
        lower_case=True,  # training lower-cases, as the reference
        anchor_stride=num_frames,
        min_num_frames=num_frames,  # the reference skips videos shorter than the clip
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='valid',
        test_mode=True,
        lower_case=False,  # the raw case at test, as the reference's inference
        video_level=True,  # one item per video: encoded once for all its expressions
        pipeline=test_pipeline))
val_dataloader = test_dataloader
