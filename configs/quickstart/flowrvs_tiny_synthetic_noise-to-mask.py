# Paradigm baseline at toy size (tools/quickstart.py --compare): the quickstart's FlowRVS
# as the paper's "noise-to-mask multi-step flow" (configs/paradigms/
# flowrvs_mevis_noise-to-mask.py, MeViS valid_u 32.3 J&F): the flow starts from Gaussian
# noise (head and sampler start_point='noise'), the video reaches the DiT only through
# DVI (on, as in the quickstart), training times are uniform (p = 0: p = 1 would train
# only on pure noise) and inference takes 10 Euler steps. The data, model, SPA (now on
# the DVI input only) and recipe are the quickstart's.
_base_ = './flowrvs_tiny_synthetic.py'
model = dict(objective=dict(boundary_prob=0.0, start_point='noise'),
             sampler=dict(type='FlowEulerSampler', num_steps=10, start_point='noise'))
