# FlowRVS on Ref-YouTube-VOS: the MeViS recipe on Ref-YTVOS train (clips reversed with
# p = 0.3, videos shorter than 17 frames skipped). The valid split (202 videos) has no
# public GT: testing writes the server submission (Annotations/<video>/<exp>/<frame>.png).
_base_ = [
    '_base_/models/flowrvs_wan2.1_t2v_1.3b.py',
    '_base_/datasets/ref_ytvos.py',
    '_base_/schedules/schedule_50e.py',
    '_base_/default_runtime.py',
]
# the paper's precision: DiT in bf16 with gradient checkpointing, UMT5 in bf16
model = dict(backbone=dict(gradient_checkpointing=True, dtype='bf16'),
             text_encoder=dict(dtype='bf16'))
train_cfg = dict(val_interval=1000)  # no local GT for valid: test writes the submission
val_dataloader = None
val_cfg = None
val_evaluator = None
test_evaluator = dict(type='RVOSMetric', format_only=True,
                      outfile_prefix='work_dirs/flowrvs_ref-ytvos/submission',
                      submission_layout='ref-ytvos')
