# Ref-DAVIS17 (zero-shot evaluation), built by tools/dataset_converters/ref_davis.py.
# Every expression of the four annotators; anno_index = exp_id % 4.
dataset_type = 'RefDAVISDataset'
data_root = 'data/ref-davis/'

test_pipeline = [
    dict(type='UniformSampleFrames', num_frames=None),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='InferenceResize', backend='pil', max_hw=(480, 832), size_divisor=16),
    dict(type='PackRVOSInputs'),
]
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
