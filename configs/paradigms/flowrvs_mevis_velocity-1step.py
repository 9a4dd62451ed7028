# Paradigm baseline: the paper's "single-step velocity prediction" row.
# Paper, MeViS valid_u: 50.8 J&F (full FlowRVS 60.6).
# The video-to-mask velocity learnt only at the video end, z_m = z_v - f(z_v, 1000).
# Against configs/flowrvs_mevis.py it turns
#   ON:  boundary_prob=1 (every training sample at s = 1; the default velocity target
#        z_v - z_m and the default one-step Euler sampler stay);
#   OFF: start-point augmentation and DVI (our reading of the paper: its paradigm rows
#        stand beside the base flow, before SPA and DVI are added).
_base_ = '../flowrvs_mevis.py'
model = dict(
    start_point_augmentation=False,
    backbone=dict(use_dvi=False),
    objective=dict(boundary_prob=1.0, start_point='video', prediction='velocity'),
    sampler=dict(type='FlowEulerSampler', num_steps=1, start_point='video',
                 prediction='velocity'))
