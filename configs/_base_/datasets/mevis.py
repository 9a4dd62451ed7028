# MeViS (docs/datasets.md): train / valid_u (local GT) / valid (server, no GT).
_base_ = './rvos_video_loaders.py'
dataset_type = 'MeViSDataset'
data_root = 'data/mevis/'

train_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    anchor_stride=17))  # one item per expression and anchor, every 17 frames
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, split='valid_u'))
test_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root, split='valid'))  # server split: no gt_masks
