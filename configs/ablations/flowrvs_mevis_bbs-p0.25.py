# Ablation: BBS p = 0.25 (paper: 55.2 J&F without SPA/DVI).
_base_ = '../flowrvs_mevis.py'
model = dict(objective=dict(boundary_prob=0.25), start_point_augmentation=False,
             backbone=dict(use_dvi=False))
