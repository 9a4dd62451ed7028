# Zero-shot Ref-DAVIS17 with a model trained on Ref-YouTube-VOS (or MeViS): the
# ReferFormer protocol on davis2017-evaluation, per annotator, then their mean.
#   python tools/test.py configs/flowrvs_ref-davis_zero-shot.py CKPT [--pred-dir DIR]
_base_ = [
    '_base_/models/flowrvs_wan2.1_t2v_1.3b.py',
    '_base_/datasets/ref_davis.py',
    '_base_/default_runtime.py',
]
model = dict(backbone=dict(dtype='bf16'), text_encoder=dict(dtype='bf16'),
             test_cfg=dict(with_scores=True))  # objects are merged by highest probability
test_evaluator = dict(type='RefDAVISMetric', davis_root='data/ref-davis/DAVIS')
val_evaluator = test_evaluator
test_cfg = dict(type='TestLoop')
