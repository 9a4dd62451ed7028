# Ablation: no boundary-biased sampling (p = 0); paper, MeViS valid_u: 47.9 J&F (base flow).
_base_ = '../flowrvs_mevis.py'
model = dict(objective=dict(boundary_prob=0.0), start_point_augmentation=False,
             backbone=dict(use_dvi=False))
