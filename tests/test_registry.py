import os

from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmflowrvs.registry import DATASETS, METRICS, MODELS, TASK_UTILS, TRANSFORMS
from mmflowrvs.utils import register_all_modules


def test_register_all_modules_sets_the_scope_and_registers_everything():
    register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'mmflowrvs'
    for name in ['FlowRVS', 'WanBackbone', 'UMT5TextEncoder', 'WanVAEEncoder',
                 'FlowMatchingObjective', 'WanMaskDecoder', 'RVOSDataPreprocessor',
                 'MaskDecoderFinetuner', 'ReferFormer', 'RobertaTextEncoder',
                 'TextConditionedQueries', 'CrossModalPixelDecoder', 'DynamicMaskHead',
                 'VideoSetCriterion']:
        assert MODELS.get(name) is not None, name
    assert DATASETS.get('MeViSDataset') is not None
    assert TRANSFORMS.get('PackRVOSInputs') is not None
    assert METRICS.get('RVOSMetric') is not None
    # ODE solvers and matching costs are task utils (as mmdet's assigners and coders)
    for name in ['FlowEulerSampler', 'FlowHeunSampler', 'FrameAveragedCost']:
        assert TASK_UTILS.get(name) is not None, name
        assert MODELS.get(name) is None, name


def test_cross_scope_mmdet_types_build():
    register_all_modules()
    backbone = MODELS.build(dict(type='mmdet.ResNet', depth=18, num_stages=4,
                                 out_indices=(3,)))
    assert type(backbone).__module__.startswith('mmdet.')
    loss = MODELS.build(dict(type='mmdet.DiceLoss', use_sigmoid=True))
    assert type(loss).__name__ == 'DiceLoss'


def test_a_model_takes_its_backbone_and_neck_by_mmdet_type_from_the_config(tiny_roberta_dir):
    """ReferFormer's toy config names ``mmdet.ResNet`` / ``mmdet.ChannelMapper``; the same
    key takes any mmdet backbone (tests/models/test_referformer.py swaps in a Swin)."""
    from mmdet.models.backbones import ResNet
    from mmdet.models.necks import ChannelMapper
    register_all_modules()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cfg = Config.fromfile(os.path.join(repo, 'configs', 'quickstart',
                                       'referformer_tiny_synthetic.py'))
    assert cfg.model.backbone.type == 'mmdet.ResNet'
    cfg.model.text_encoder.pretrained = tiny_roberta_dir
    cfg.model.backbone.depth = 34  # a config change reaches mmdet's class
    model = MODELS.build(cfg.model)
    assert type(model.backbone) is ResNet and len(model.backbone.layer3) == 6
    assert type(model.neck) is ChannelMapper
