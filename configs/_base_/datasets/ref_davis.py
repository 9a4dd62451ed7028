# Ref-DAVIS17 (zero-shot evaluation), built by tools/dataset_converters/ref_davis.py.
# Every expression of the four annotators; anno_index = exp_id % 4. No training split.
_base_ = './rvos_video_loaders.py'
dataset_type = 'RefDAVISDataset'
data_root = 'data/ref-davis/'

train_dataloader = None
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, split='valid'))
val_dataloader = test_dataloader
