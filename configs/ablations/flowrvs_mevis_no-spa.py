# Ablation: base flow + BBS(0.5), no start-point augmentation, no DVI (paper: 57.9).
_base_ = '../flowrvs_mevis.py'
model = dict(start_point_augmentation=False, backbone=dict(use_dvi=False))
