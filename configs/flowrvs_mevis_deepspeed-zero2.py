# The MeViS recipe with DeepSpeed ZeRO-2 (MMEngine FlexibleRunner; needs `pip install
# deepspeed` on the GPU machine): optimizer states and gradients partitioned, bf16.
#   tools/dist_train.sh configs/flowrvs_mevis_deepspeed-zero2.py 8
_base_ = './flowrvs_mevis.py'
runner_type = 'FlexibleRunner'
strategy = dict(
    type='DeepSpeedStrategy',
    bf16=dict(enabled=True),
    gradient_clipping=1.0,
    zero_optimization=dict(stage=2, allgather_partitions=True, reduce_scatter=True,
                           allgather_bucket_size=int(5e8), reduce_bucket_size=int(5e8),
                           overlap_comm=True, contiguous_gradients=True),
    inputs_to_half=None)
optim_wrapper = dict(_delete_=True, type='DeepSpeedOptimWrapper',
                     optimizer=dict(type='AdamW', lr=5e-5, weight_decay=5e-4))
