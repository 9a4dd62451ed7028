# Ablation: 4 Euler steps at test time (timesteps [1000, 900, 750, 501]).
_base_ = '../flowrvs_mevis.py'
model = dict(sampler=dict(type='FlowEulerSampler', num_steps=4))
