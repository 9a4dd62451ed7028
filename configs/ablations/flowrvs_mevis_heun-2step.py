# Ablation: Heun (2nd order) with 2 steps at test time (4 function evaluations).
_base_ = '../flowrvs_mevis.py'
model = dict(sampler=dict(type='FlowHeunSampler', num_steps=2))
