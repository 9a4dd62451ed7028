# The built-in synthetic benchmark (tools/dataset_converters/make_synthetic_rvos.py), in the
# MeViS layout and read as MeViS is (SyntheticRVOSDataset): quickstart and CI end-to-end data.
# Small frames (96x96 by default) resized to train_size; short clips.
_base_ = './rvos_video_loaders.py'
dataset_type = 'SyntheticRVOSDataset'
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
    *_base_.test_pipeline[:3],
    dict(type='InferenceResize', max_hw=test_hw, size_divisor=16),
    dict(type='PackRVOSInputs'),
]

train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type=dataset_type, data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type=dataset_type, data_root=data_root, split='valid_u',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
