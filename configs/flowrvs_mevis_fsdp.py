# The MeViS recipe with FSDP (MMEngine FlexibleRunner): parameters, gradients and AdamW
# states of the 1.4 B DiT sharded over the GPUs; the frozen 5.7 B text encoder and the
# VAE are wrapped too (no grads, no optimizer states).
#   tools/dist_train.sh configs/flowrvs_mevis_fsdp.py 8
_base_ = './flowrvs_mevis.py'
runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy=dict(
            type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
            min_num_params=int(1e7)),
        use_orig_params=True),  # frozen and trainable parameters in one model
    state_dict_cfg='full')
optim_wrapper = dict(_delete_=True, type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=5e-5, weight_decay=5e-4),
                     clip_grad=dict(max_norm=1.0))
