# The built-in synthetic benchmark (tools/dataset_converters/make_synthetic_rvos.py), read
# by the real MeViSDataset: quickstart and CI end-to-end data. Small frames (96x96 by
# default) resized to train_size; short clips.
dataset_type = 'MeViSDataset'
data_root = 'data/synthetic_rvos/'
num_frames = 9  # the shortest synthetic video has 9 frames
train_size = 64  # short side of the training frames
test_hw = (64, 64)

train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=num_frames, short_video='repeat'),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', short_sizes=[train_size], max_size=train_size * 2,
         crop_prob=0.5, pre_sizes=[72, 80, 96], crop_range=(56, 96), size_divisor=16),
    dict(type='RVOSRandomFlip', prob=0.5),
    dict(type='PackRVOSInputs'),
]
test_pipeline = [
    dict(type='UniformSampleFrames', num_frames=None),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='InferenceResize', max_hw=test_hw, size_divisor=16),
    dict(type='PackRVOSInputs'),
]

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        lower_case=True,  # training lower-cases, as the reference
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='valid_u',
        test_mode=True,
        lower_case=False,  # the raw case at test, as the reference's inference
        video_level=True,  # one item per video: encoded once for all its expressions
        pipeline=test_pipeline))
test_dataloader = val_dataloader
