from mmengine.registry import DefaultScope

from mmflowrvs.registry import DATASETS, METRICS, MODELS, TRANSFORMS
from mmflowrvs.utils import register_all_modules


def test_register_all_modules_sets_the_scope_and_registers_everything():
    register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'mmflowrvs'
    for name in ['FlowRVS', 'WanBackbone', 'UMT5TextEncoder', 'WanVAEEncoder', 'FlowMatchingHead',
                 'FlowEulerSampler', 'FlowHeunSampler', 'WanMaskDecoder', 'RVOSDataPreprocessor',
                 'MaskDecoderFinetuner']:
        assert MODELS.get(name) is not None, name
    assert DATASETS.get('MeViSDataset') is not None
    assert TRANSFORMS.get('PackRVOSInputs') is not None
    assert METRICS.get('RVOSMetric') is not None


def test_cross_scope_mmdet_types_build():
    register_all_modules()
    backbone = MODELS.build(dict(type='mmdet.ResNet', depth=18, num_stages=4,
                                 out_indices=(3,)))
    assert type(backbone).__module__.startswith('mmdet.')
    loss = MODELS.build(dict(type='mmdet.DiceLoss', use_sigmoid=True))
    assert type(loss).__name__ == 'DiceLoss'
