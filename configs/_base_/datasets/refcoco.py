# RefCOCO / RefCOCO+ / RefCOCOg image pre-training: mmdet's RefCocoDataset, each image a
# 1-frame clip (T=1). Needs mmdet 3.x. Transforms of mmflowrvs are named with their
# scope because the pipeline is built inside mmdet's dataset.
dataset_type = 'PlainRefCocoDataset'  # mmdet's, split file read as plain values
data_root = 'data/coco/'
refer_set = 'refcoco'  # or 'refcoco+', 'refcocog'
# refcoco+: 'refcoco+/refs(unc).p'; refcocog: 'refcocog/refs(umd).p'
split_file = 'refcoco/refs(unc).p'

train_pipeline = [
    dict(type='mmflowrvs.ImageToRVOSClip'),  # one referred object + sentence, T = 1
    dict(type='mmflowrvs.ReferenceTrainResize', backend='pil', short_sizes=[480], max_size=832,
         crop_prob=0.5, pre_sizes=[400, 500, 600], crop_range=(384, 600), size_divisor=32),
    dict(type='mmflowrvs.RVOSRandomFlip', prob=0.5),
    dict(type='mmflowrvs.PackRVOSInputs'),
]
train_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=refer_set + '/instances.json',
        split_file=split_file,
        data_prefix=dict(img_path='train2014/'),
        split='train',
        text_mode='original',  # every sentence; ImageToRVOSClip picks one per visit
        pipeline=train_pipeline))
