# Ablation: BBS + SPA without direct video injection (paper: 58.6; +DVI 60.6).
_base_ = '../flowrvs_mevis.py'
model = dict(backbone=dict(use_dvi=False))
