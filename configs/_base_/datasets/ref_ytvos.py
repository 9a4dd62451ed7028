# Ref-YouTube-VOS (docs/datasets.md): train with palette PNG masks; valid = valid - test
# videos (202), no GT (server).
_base_ = './rvos_video_loaders.py'
dataset_type = 'RefYTVOSDataset'
data_root = 'data/ref-youtube-vos/'
num_frames = 17

train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=num_frames, reverse_prob=0.3),
    *_base_.train_pipeline[1:],
]
train_dataloader = dict(dataset=dict(
    type=dataset_type,
    data_root=data_root,
    anchor_stride=num_frames,
    min_num_frames=num_frames,  # the reference skips videos shorter than the clip
    pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, split='valid'))
val_dataloader = test_dataloader
