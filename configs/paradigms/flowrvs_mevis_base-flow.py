# Paradigm baseline: the paper's "base video-to-mask flow" row.
# Paper, MeViS valid_u: 47.9 J&F (full FlowRVS 60.6).
# Plain flow matching from the video latent to the mask latent; the paper adds BBS 0.5
# (57.9), SPA (58.6) and DVI (60.6) to it.
# Against configs/flowrvs_mevis.py it turns
#   OFF: boundary-biased sampling (boundary_prob=0: s uniform in (0, 1]), start-point
#        augmentation (z_v is the posterior mean) and DVI (16-channel input);
#   keeps: start_point='video', prediction='velocity', the one-step Euler sampler.
# (The same model as configs/ablations/flowrvs_mevis_bbs-p0.py, named as a paradigm.)
_base_ = '../flowrvs_mevis.py'
model = dict(
    start_point_augmentation=False,
    backbone=dict(use_dvi=False),
    objective=dict(boundary_prob=0.0, start_point='video', prediction='velocity'),
    sampler=dict(type='FlowEulerSampler', num_steps=1, start_point='video',
                 prediction='velocity'))
