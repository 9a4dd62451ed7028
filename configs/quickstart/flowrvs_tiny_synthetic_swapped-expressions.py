# Grounding check of the quickstart: the same model and data, each valid_u expression
# replaced by another expression of the same video with a different target (the wrapper
# swaps per expression, so its dataset is not video-level).
_base_ = './flowrvs_tiny_synthetic.py'
test_dataloader = dict(dataset=dict(
    _delete_=True, type='ExpressionSwapDataset', seed=0,
    dataset={**_base_.test_dataloader.dataset, 'video_level': False}))
