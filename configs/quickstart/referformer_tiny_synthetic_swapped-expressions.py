# Grounding check of the ReferFormer toy baseline: the same model and data, each valid_u
# expression replaced by another expression of the same video with a different target
# (as flowrvs_tiny_synthetic_swapped-expressions.py for FlowRVS).
_base_ = './referformer_tiny_synthetic.py'
test_dataloader = dict(dataset=dict(
    _delete_=True, type='ExpressionSwapDataset', seed=0, dataset=_base_.test_dataloader.dataset))
