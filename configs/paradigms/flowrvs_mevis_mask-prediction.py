# Paradigm baseline: the paper's "single-step mask prediction" row.
# Paper, MeViS valid_u: 38.9 J&F (full FlowRVS 60.6).
# The DiT maps the video latent straight to the mask latent, z_m = f(z_v, 1000),
# trained by regressing z_m (no flow, no velocity).
# Against configs/flowrvs_mevis.py it turns
#   ON:  prediction='mask' in the head (loss MSE(f(x_s), z_m)) and the sampler (one step
#        from s = 1 returns f(z_v, 1000) itself); boundary_prob=1 (training only at s = 1,
#        the only point one-step inference queries);
#   OFF: start-point augmentation and DVI (our reading of the paper: its paradigm rows
#        stand beside the base flow, before SPA and DVI are added).
_base_ = '../flowrvs_mevis.py'
model = dict(
    start_point_augmentation=False,
    backbone=dict(use_dvi=False),
    objective=dict(boundary_prob=1.0, start_point='video', prediction='mask'),
    sampler=dict(type='FlowEulerSampler', num_steps=1, start_point='video',
                 prediction='mask'))
