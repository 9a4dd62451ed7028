# ReferFormer on Ref-YouTube-VOS with the backbone swapped by type for mmdet's (image)
# Swin-T, run on each frame: the recipe of referformer_r50_ref-ytvos.py otherwise. The
# published Swin scores are Video Swin's, which mmdet does not have (docs/referformer.md).
# Swin weights: a local mmdet/timm-format Swin-T checkpoint (never downloaded).
#   tools/dist_train.sh configs/referformer/referformer_swin-t_ref-ytvos.py 8
_base_ = ['./referformer_r50_ref-ytvos.py']
swin_t_checkpoint = 'data/pretrained/swin_tiny_patch4_window7_224.pth'
swin_channels = [96, 192, 384, 768]  # strides 4, 8, 16, 32
# from ImageNet Swin-T; for the two-stage recipe, first train referformer_r50_refcoco-pretrain.py
# with this model block and set load_from to its checkpoint
load_from = None
model = dict(
    backbone=dict(_delete_=True, type='mmdet.SwinTransformer', embed_dims=96,
                  depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), window_size=7,
                  mlp_ratio=4, qkv_bias=True, drop_path_rate=0.2, patch_norm=True,
                  out_indices=(0, 1, 2, 3), convert_weights=True,
                  init_cfg=dict(type='Pretrained', checkpoint=swin_t_checkpoint)),
    neck=dict(in_channels=swin_channels[1:]),
    pixel_decoder=dict(in_channels=[swin_channels[0]] + [_base_.embed_dims] * 3))
# the backbone's lr multiplier (0.5) is set by name in the schedule, as for ResNet-50
