# FlowRVS on Ref-YouTube-VOS, the paper's joint recipe: Ref-YTVOS train concatenated
# (mmengine ConcatDataset) with RefCOCO, RefCOCO+ and RefCOCOg images made into 17-frame
# pseudo-videos (ImageToPseudoVideo: one random affine warp per frame of the image and
# its mask, the ReferFormer line's recipe). The rest is configs/flowrvs_ref-ytvos.py.
#   tools/dist_train.sh configs/flowrvs_ref-ytvos_joint.py 8
_base_ = ['./flowrvs_ref-ytvos.py']
num_frames = 17
coco_root = 'data/coco/'

# Transforms are named with their scope: this pipeline is built inside mmdet's dataset.
pseudo_video_pipeline = [
    dict(type='mmflowrvs.ImageToRVOSClip'),  # one referred object + one of its sentences
    dict(type='mmflowrvs.ImageToPseudoVideo', num_frames=num_frames, rotation=(-20, 20),
         scale=(0.9, 1.1), shear=(-5, 5), translate=(-0.1, 0.1), identity_first=True,
         shuffle=True),
    dict(type='mmflowrvs.ReferenceTrainResize', backend='pil', short_sizes=[480], max_size=832,
         crop_prob=0.5, pre_sizes=[400, 500, 600], crop_range=(384, 600), size_divisor=32),
    dict(type='mmflowrvs.RVOSRandomFlip', prob=0.5),
    dict(type='mmflowrvs.PackRVOSInputs'),
]
ref_ytvos_train = dict(
    type='RefYTVOSDataset',
    data_root='data/ref-youtube-vos/',
    split='train',
    anchor_stride=num_frames,
    min_num_frames=num_frames,
    pipeline={{_base_.train_pipeline}})
refcoco_common = dict(
    type='PlainRefCocoDataset',
    data_root=coco_root,
    data_prefix=dict(img_path='train2014/'),
    split='train',
    text_mode='original',  # every sentence; ImageToRVOSClip picks one per visit
    pipeline=pseudo_video_pipeline)
refcoco_train = dict(refcoco_common, ann_file='refcoco/instances.json',
                     split_file='refcoco/refs(unc).p')
refcoco_plus_train = dict(refcoco_common, ann_file='refcoco+/instances.json',
                          split_file='refcoco+/refs(unc).p')
refcocog_train = dict(refcoco_common, ann_file='refcocog/instances.json',
                      split_file='refcocog/refs(umd).p')

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[ref_ytvos_train, refcoco_train, refcoco_plus_train, refcocog_train],
        ignore_keys=['dataset_name']))  # 'ref_ytvos' vs mmdet's RefCOCO metainfo
