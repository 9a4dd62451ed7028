# Ablation: BBS p = 0.75 (paper: worse than 0.5).
_base_ = '../flowrvs_mevis.py'
model = dict(objective=dict(boundary_prob=0.75), start_point_augmentation=False,
             backbone=dict(use_dvi=False))
