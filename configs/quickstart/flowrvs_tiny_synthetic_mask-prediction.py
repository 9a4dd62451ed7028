# Paradigm baseline at toy size (tools/quickstart.py --compare): the quickstart's FlowRVS
# with the paper's "single-step mask prediction" (configs/paradigms/
# flowrvs_mevis_mask-prediction.py, MeViS valid_u 38.9 J&F): the DiT regresses the mask
# latent itself, z_m = f(z_v, 1000). Only the target changes (head and sampler
# prediction='mask'); the data, model, DVI, SPA, p = 1 and recipe are the quickstart's.
_base_ = './flowrvs_tiny_synthetic.py'
model = dict(objective=dict(prediction='mask'),
             sampler=dict(type='FlowEulerSampler', num_steps=1, prediction='mask'))
