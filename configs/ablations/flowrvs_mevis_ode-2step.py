# Ablation: 2 Euler steps at test time (timesteps [1000, 750]).
_base_ = '../flowrvs_mevis.py'
model = dict(sampler=dict(type='FlowEulerSampler', num_steps=2))
