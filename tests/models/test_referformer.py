"""ReferFormer built from its toy config: mmdet backbones by type, three modes, training."""
import os

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmflowrvs.registry import DATASETS, MODELS
from mmflowrvs.structures import RVOSDataSample

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY = os.path.join(REPO, 'configs', 'quickstart', 'referformer_tiny_synthetic.py')
# a tiny Swin with the toy ResNet's strides and widths (16, 32, 64, 128)
SWIN = dict(type='mmdet.SwinTransformer', embed_dims=16, depths=(1, 1, 1, 1),
            num_heads=(1, 1, 2, 4), window_size=4, out_indices=(0, 1, 2, 3),
            convert_weights=False)


def _cfg(roberta: str, backbone: dict = None) -> Config:
    cfg = Config.fromfile(TOY)
    cfg.model.text_encoder.pretrained = roberta
    if backbone is not None:
        cfg.model.backbone = backbone
    return cfg


def _model(roberta: str, backbone: dict = None):
    model = MODELS.build(_cfg(roberta, backbone).model)
    model.init_weights()
    return model


def _batch(model, b=2, t=2, hw=(32, 32), ori=(40, 36), training=True):
    g = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for i in range(b):
        frames = torch.randint(0, 255, (t, 3, *hw), dtype=torch.uint8, generator=g)
        masks = torch.zeros(t, *hw, dtype=torch.bool)
        masks[:, 4 + 4 * i:20, 6:22 + 2 * i] = True
        frames[:, 0][masks] = 250  # the referred square is red
        sample = RVOSDataSample(metainfo=dict(
            expression=['the red square', 'a blue circle'][i], img_shape=hw, ori_shape=ori,
            num_frames=t))
        sample.gt_masks = masks
        inputs.append(frames)
        samples.append(sample)
    return model.data_preprocessor(dict(inputs=inputs, data_samples=samples), training)


def test_toy_config_builds_with_mmdet_parts_by_type(tiny_roberta_dir):
    from mmdet.models.backbones import ResNet
    from mmdet.models.dense_heads import DeformableDETRHead
    from mmdet.models.layers import DeformableDetrTransformerEncoder, PixelDecoder
    from mmdet.models.necks import ChannelMapper
    model = _model(tiny_roberta_dir)
    assert isinstance(model.backbone, ResNet) and isinstance(model.neck, ChannelMapper)
    assert isinstance(model.encoder, DeformableDetrTransformerEncoder)
    assert isinstance(model.pixel_decoder, PixelDecoder)
    # the class / box branches are mmdet's head, refined per layer (not shared)
    assert isinstance(model.bbox_head, DeformableDETRHead)
    assert model.bbox_head.cls_out_channels == 1
    assert model.bbox_head.reg_branches[0] is not model.bbox_head.reg_branches[1]
    assert type(model.criterion.assigner).__module__.startswith('mmdet.')
    assert type(model.criterion.loss_dice).__module__.startswith('mmdet.')
    # the text encoder is transformers' RoBERTa, loaded from the folder
    assert type(model.text_encoder.encoder).__name__ == 'RobertaModel'
    assert model.data_preprocessor.frame_norm == 'imagenet'


def test_three_modes(tiny_roberta_dir):
    model = _model(tiny_roberta_dir)
    data = _batch(model)
    model.train()
    losses = model(**data, mode='loss')
    names = {'loss_cls', 'loss_bbox', 'loss_iou', 'loss_mask', 'loss_dice'}
    assert names | {'d0.' + n for n in names} == set(losses)
    sum(losses.values()).backward()
    assert model.backbone.conv1.weight.grad is not None
    assert model.text_encoder.encoder.embeddings.word_embeddings.weight.grad is not None
    model.eval()
    raw = model(**_batch(model, training=False), mode='tensor')
    assert raw['cls'].shape == (2, 2, 2, 5)  # (layers, B, T, queries)
    assert raw['boxes'].shape == (2, 2, 2, 5, 4)
    assert raw['masks'].shape == (2, 2, 2, 5, 16, 16)  # 32x32 input at out stride 2
    out = model(**_batch(model, training=False), mode='predict')
    for sample in out:
        assert sample.pred_masks.dtype == torch.bool
        assert sample.pred_masks.shape == (2, 40, 36)  # (T, H_ori, W_ori)
        assert 0 <= sample.query_index < 5 and 0 < sample.query_score < 1
    with pytest.raises(ValueError, match='data_samples'):
        model(data['inputs'], None, mode='predict')


def test_padded_clips_of_different_sizes(tiny_roberta_dir):
    model = _model(tiny_roberta_dir).eval()
    samples = [RVOSDataSample(metainfo=dict(expression='a red square', img_shape=hw,
                                            ori_shape=hw, num_frames=2))
               for hw in [(32, 64), (64, 32)]]
    data = model.data_preprocessor(dict(inputs=[torch.zeros(2, 3, 32, 64, dtype=torch.uint8),
                                                torch.zeros(2, 3, 64, 32, dtype=torch.uint8)],
                                        data_samples=samples), False)
    assert data['inputs'].shape[-2:] == (64, 64)
    out = model(**data, mode='predict')
    assert out[0].pred_masks.shape == (2, 32, 64) and out[1].pred_masks.shape == (2, 64, 32)


def test_backbone_swaps_to_swin_by_config(tiny_roberta_dir):
    from mmdet.models.backbones import SwinTransformer
    model = _model(tiny_roberta_dir, backbone=SWIN)
    assert isinstance(model.backbone, SwinTransformer)
    model.train()
    losses = model(**_batch(model), mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert model.backbone.patch_embed.projection.weight.grad is not None
    out = model.eval()(**_batch(model, training=False), mode='predict')
    assert out[0].pred_masks.shape == (2, 40, 36)


def test_a_few_iterations_make_the_loss_fall(tiny_roberta_dir):
    model = _model(tiny_roberta_dir).train()
    data = _batch(model)
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3)
    history = []
    for _ in range(12):
        losses = model(**data, mode='loss')
        total = sum(losses.values())
        optim.zero_grad()
        total.backward()
        optim.step()
        history.append(float(total))
    assert sum(history[-3:]) / 3 < 0.85 * sum(history[:3]) / 3, history


def test_runs_on_the_synthetic_benchmark_through_the_config_pipelines(tiny_roberta_dir,
                                                                       tmp_path):
    # issue 18 item 4: a FlowRVS-adjacent model taking an mmdet backbone runs on the
    # toy data, through the same datasets, transforms, data samples and metric
    from mmflowrvs.datasets.synthetic_rvos import make_synthetic_rvos
    from mmflowrvs.registry import METRICS
    root = str(tmp_path / 'synth')
    make_synthetic_rvos(root, seed=0, num_train=2, num_valid=1, size=(64, 64), frames=(9, 9))
    cfg = _cfg(tiny_roberta_dir)
    model = MODELS.build(cfg.model)
    model.init_weights()
    train = cfg.train_dataloader.dataset
    train.data_root = root
    train_set = DATASETS.build(train)
    batch = model.data_preprocessor(pseudo_collate([train_set[0], train_set[1]]), True)
    assert batch['inputs'].shape == (2, 3, 5, 64, 64)  # 5-frame training clips
    model.train()
    assert torch.isfinite(sum(model(**batch, mode='loss').values()))
    test = cfg.test_dataloader.dataset
    test.data_root = root
    test_set = DATASETS.build(test)
    item = pseudo_collate([test_set[0]])
    out = model.eval()(**model.data_preprocessor(item, False), mode='predict')
    assert out[0].pred_masks.shape == out[0].gt_masks.shape  # (9, 64, 64)
    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = test_set.metainfo
    metric.process({}, [s.to_dict() for s in out])
    scores = metric.compute_metrics(metric.results)
    assert 0 <= scores['J&F'] <= 100
