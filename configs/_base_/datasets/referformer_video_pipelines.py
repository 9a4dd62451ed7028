# ReferFormer's published video pipelines (its Ref-YouTube-VOS / MeViS recipe): 5-frame
# clips (an anchor, 2 frames within 3 of it, 2 more from the rest of the video), a short
# side in 288-512 (max 640) or resize-crop-resize, test frames fitting 360 x 640. Listed
# after a dataset base; the leaf passes them to its loaders.
referformer_num_frames = 5
referformer_train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=referformer_num_frames, local_max=3,
         short_video='repeat'),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', backend='pil',
         short_sizes=[288, 320, 352, 392, 416, 448, 480, 512], max_size=640, crop_prob=0.5,
         pre_sizes=[400, 500, 600], crop_range=(384, 600), size_divisor=32),
    dict(type='RVOSRandomFlip', prob=0.5),
    dict(type='PackRVOSInputs'),
]
referformer_test_pipeline = [
    dict(type='UniformSampleFrames', num_frames=None),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='InferenceResize', backend='pil', max_hw=(360, 640), size_divisor=32),
    dict(type='PackRVOSInputs'),
]
