# FlowRVS on MeViS, the paper's recipe: 8 GPUs x 1 clip of 17 frames at 480x832, DiT in
# bf16 with gradient checkpointing, AdamW 5e-5 / wd 5e-4, grad clip 1.0, EMA 0.9999,
# MultiStepLR(30, 0.9), 50 epochs; validation on valid_u (local GT).
#   tools/dist_train.sh configs/flowrvs_mevis.py 8
_base_ = [
    '_base_/models/flowrvs_wan2.1_t2v_1.3b.py',
    '_base_/datasets/mevis.py',
    '_base_/schedules/schedule_50e.py',
    '_base_/default_runtime.py',
]
# the paper's precision: DiT in bf16 with gradient checkpointing, UMT5 in bf16
model = dict(backbone=dict(gradient_checkpointing=True, dtype='bf16'),
             text_encoder=dict(dtype='bf16'))
val_dataloader = dict(dataset=dict(split='valid_u'))
test_dataloader = val_dataloader
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator

env_cfg = dict(dist_cfg=dict(backend='nccl'))
