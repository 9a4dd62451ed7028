"""ReferFormer (Wu et al., CVPR 2022) composed from mmdet parts: a discriminative RVOS baseline."""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmcv.ops import MultiScaleDeformableAttention
from mmdet.models.layers import (
    DeformableDetrTransformerDecoder,
    DeformableDetrTransformerEncoder,
    SinePositionalEncoding,
)

from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSDataSample

from ..layers import (
    FeatureResizer,
    VisionLanguageFusion,
    flatten_levels,
    frame_padding_masks,
    split_levels,
)
from .base_rvos_model import BaseRVOSModel, resize_frames_bilinear


@MODELS.register_module()
class ReferFormer(BaseRVOSModel):
    """Language as queries for RVOS, built from mmdet / mmcv / transformers components.

    Per frame: backbone (any mmdet backbone by type, e.g. ``mmdet.ResNet``,
    ``mmdet.SwinTransformer``) -> neck (``mmdet.ChannelMapper``) on all but the first
    backbone output -> each level scaled by its attention to the words
    (:class:`VisionLanguageFusion`) -> mmdet's deformable DETR encoder -> mmdet's
    deformable DETR decoder fed N text-conditioned queries (content: the sentence
    feature) with iterative box refinement. Per decoder layer and query: a
    referred-ness logit, a box, and a mask from :class:`DynamicMaskHead` over the mask
    features of :class:`CrossModalPixelDecoder` (first backbone output + encoder
    memory). Query i over the clip's frames is one instance sequence; training matches
    one sequence to the target (:class:`VideoSetCriterion`), inference keeps the
    sequence with the highest mean score and thresholds its masks.

    Args:
        backbone (dict): mmdet backbone; its outputs are strides 4, 8, 16, 32.
        neck (dict): Maps backbone outputs 1.. to ``num_levels`` levels of the model width.
        text_encoder (dict): e.g. ``RobertaTextEncoder``.
        encoder (dict): ``DeformableDetrTransformerEncoder`` kwargs (mmdet's format).
        decoder (dict): ``DeformableDetrTransformerDecoder`` kwargs.
        bbox_head (dict): The class and box branches of every decoder layer, e.g.
            ``mmdet.DeformableDETRHead`` with one sigmoid class; its ``embed_dims``,
            ``num_pred_layer``, ``share_pred_layer`` follow the model.
        pixel_decoder (dict): e.g. ``CrossModalPixelDecoder``.
        mask_head (dict): e.g. ``DynamicMaskHead``.
        criterion (dict): e.g. ``VideoSetCriterion``.
        num_queries (int): Queries per frame. Defaults to 5.
        query_generator (dict, optional): Defaults to ``TextConditionedQueries``.
        positional_encoding (dict, optional): ``SinePositionalEncoding`` kwargs.
        text_fusion (dict, optional): :class:`VisionLanguageFusion` kwargs.
        text_dropout (float): Dropout of the text resizer. Defaults to 0.1.
        with_box_refine (bool): Per-layer box branches refining the reference points.
        data_preprocessor (dict, optional): Defaults to ``RVOSDataPreprocessor`` with
            ImageNet normalisation, size divisor 32 and no temporal padding.
        test_cfg (dict, optional): ``mask_thr`` (default 0.5), ``with_scores``.
    """

    def __init__(self, backbone: dict, neck: dict, text_encoder: dict, encoder: dict,
                 decoder: dict, bbox_head: dict, pixel_decoder: dict, mask_head: dict,
                 criterion: dict,
                 num_queries: int = 5, query_generator: Optional[dict] = None,
                 positional_encoding: Optional[dict] = None,
                 text_fusion: Optional[dict] = None, text_dropout: float = 0.1,
                 with_box_refine: bool = True, data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='RVOSDataPreprocessor', frame_norm='imagenet',
                                     size_divisor=32, temporal_divisor=1)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.text_encoder = MODELS.build(text_encoder)
        self.encoder = DeformableDetrTransformerEncoder(**encoder)
        self.decoder = DeformableDetrTransformerDecoder(**decoder)
        dims = self.encoder.embed_dims
        self.num_levels = self.encoder.layers[0].self_attn.num_levels
        self.positional_encoding = SinePositionalEncoding(
            **(positional_encoding or dict(num_feats=dims // 2, normalize=True)))
        self.level_embed = nn.Parameter(torch.zeros(self.num_levels, dims))
        self.text_resizer = FeatureResizer(self.text_encoder.embed_dim, dims, text_dropout)
        self.text_fusion = VisionLanguageFusion(dims, **(text_fusion or {}))
        self.queries = MODELS.build(query_generator or dict(
            type='TextConditionedQueries', num_queries=num_queries, embed_dims=dims))
        self.with_box_refine = with_box_refine
        self.bbox_head = MODELS.build(self._head_cfg(bbox_head, dims, self.decoder.num_layers))
        self.pixel_decoder = MODELS.build(pixel_decoder)
        self.mask_head = MODELS.build(mask_head)
        self.criterion = MODELS.build(criterion)
        self.test_cfg = test_cfg or {}

    def init_weights(self) -> None:
        """mmdet's deformable DETR initialisation for the transformer and the branches
        (the backbone follows its ``init_cfg``; the text encoder keeps its weights)."""
        super().init_weights()
        for coder in (self.encoder, self.decoder):
            for p in coder.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
        for m in self.modules():
            if isinstance(m, MultiScaleDeformableAttention):
                m.init_weights()
        nn.init.normal_(self.level_embed)

    def _head_cfg(self, bbox_head: dict, dims: int, num_layers: int) -> dict:
        """``bbox_head`` given the model's width, decoder depth and box refinement
        (a value set in the config that disagrees is an error)."""
        head = dict(bbox_head)
        implied = dict(embed_dims=dims, num_pred_layer=num_layers,
                       share_pred_layer=not self.with_box_refine, as_two_stage=False)
        for key, value in implied.items():
            if head.setdefault(key, value) != value:
                raise ValueError(f'bbox_head.{key}={head[key]!r} disagrees with the model '
                                 f'({key}={value!r} from its encoder, decoder and '
                                 'with_box_refine)')
        return head

    # ------------------------------------------------------------------ network
    def _fuse_text(self, x: torch.Tensor, words: torch.Tensor, words_pad_mask: torch.Tensor,
                   num_frames: int) -> torch.Tensor:
        """(B*T, C, h, w) level -> the same, scaled by its attention to the words."""
        n, c, h, w = x.shape
        b = n // num_frames
        tokens = x.reshape(b, num_frames, c, h * w).permute(0, 1, 3, 2).reshape(b, -1, c)
        tokens = self.text_fusion(tokens, words, words_pad_mask)
        return tokens.reshape(b, num_frames, h * w, c).permute(0, 1, 3, 2).reshape(n, c, h, w)

    def run(self, inputs: torch.Tensor,
            data_samples: List[RVOSDataSample]) -> Dict[str, torch.Tensor]:
        """Predictions of every decoder layer.

        Args:
            inputs (Tensor): (B, 3, T, H, W) normalised frames.
            data_samples (list[RVOSDataSample]): With ``expression`` and ``img_shape``.

        Returns:
            dict: ``cls`` (L, B, T, Q) logits, ``boxes`` (L, B, T, Q, 4) normalised
            cxcywh, ``masks`` (L, B, T, Q, h, w) logits at the mask head's out stride,
            ``img_shapes`` (B, 2).
        """
        b, _, t, h, w = inputs.shape
        device = inputs.device
        img_shapes = torch.tensor([tuple(s.metainfo.get('img_shape', (h, w)))
                                   for s in data_samples], device=device)  # (B, 2)
        pad_mask = frame_padding_masks(img_shapes.tolist(), t, (h, w), device)
        feats = self.backbone(inputs.transpose(1, 2).flatten(0, 1))  # per level (B*T, C, h, w)
        text = self.text_encoder([s.expression for s in data_samples])
        words, words_pad_mask = self.text_resizer(text['words']), text['pad_mask']
        sentence = self.text_resizer(text['sentence'])  # (B, C)
        levels = [self._fuse_text(x, words, words_pad_mask, t)
                  for x in self.neck(tuple(feats[1:]))]
        if len(levels) != self.num_levels:
            raise ValueError(f'the neck gives {len(levels)} levels, the deformable '
                             f'attention expects num_levels={self.num_levels}')
        flat = flatten_levels(levels, pad_mask, self.positional_encoding, self.level_embed)
        shared = dict(spatial_shapes=flat['spatial_shapes'], valid_ratios=flat['valid_ratios'],
                      level_start_index=flat['level_start_index'])
        memory = self.encoder(query=flat['feat'], query_pos=flat['feat_pos'],
                              key_padding_mask=flat['feat_mask'], **shared)
        content, query_pos, init_ref = self.queries(sentence, t)
        hs, refs = self.decoder(query=content, query_pos=query_pos, value=memory,
                                key_padding_mask=flat['feat_mask'], reference_points=init_ref,
                                reg_branches=(self.bbox_head.reg_branches
                                              if self.with_box_refine else None),
                                **shared)  # (L, B*T, Q, C), (L, B*T, Q, 2 or 4)
        cls, boxes = self.bbox_head(hs, [init_ref, *refs])  # (L, B*T, Q, 1), (L, B*T, Q, 4)
        cls = cls[..., 0]
        memory_levels = split_levels(memory, flat['spatial_shapes'])
        mask_feats = self.pixel_decoder(
            [feats[0]] + memory_levels[:self.pixel_decoder.num_inputs - 1], words,
            words_pad_mask, t, pad_mask)
        frame_shapes = img_shapes.repeat_interleave(t, 0)
        masks = torch.stack([self.mask_head(x, mask_feats, box[..., :2].detach(), frame_shapes)
                             for x, box in zip(hs, boxes)])  # (L, B*T, Q, h', w')
        layers, q = hs.shape[0], hs.shape[2]
        return dict(cls=cls.view(layers, b, t, q), boxes=boxes.view(layers, b, t, q, 4),
                    masks=masks.view(layers, b, t, q, *masks.shape[-2:]), img_shapes=img_shapes)

    # ------------------------------------------------------------------ modes
    def _forward(self, inputs: torch.Tensor,
                 data_samples: Optional[List[RVOSDataSample]] = None) -> dict:
        """The raw outputs of :meth:`run`."""
        if data_samples is None:
            raise ValueError('ReferFormer needs data_samples carrying the expression')
        return self.run(inputs, data_samples)

    def loss(self, inputs: torch.Tensor, data_samples: List[RVOSDataSample]) -> Dict:
        """Matching and losses of every decoder layer (``d{i}.`` for the auxiliary ones)."""
        gt = self.gt_masks(inputs, data_samples)  # (B, T, H, W)
        out = self._forward(inputs, data_samples)
        return self.criterion(out['cls'], out['boxes'], out['masks'], gt, out['img_shapes'])

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor,
                data_samples: List[RVOSDataSample]) -> List[RVOSDataSample]:
        """Masks of the best query sequence at the original resolution.

        Returns:
            list[RVOSDataSample]: ``pred_masks`` (T, H_ori, W_ori) bool (and
            ``pred_scores`` if ``test_cfg.with_scores``); metainfo ``query_index`` and
            ``query_score`` (its mean referred-ness probability over the frames).
        """
        _, _, t, h, w = inputs.shape
        out = self._forward(inputs, data_samples)
        scores = out['cls'][-1].sigmoid()  # (B, T, Q)
        thr = self.test_cfg.get('mask_thr', 0.5)
        for i, sample in enumerate(data_samples):
            num_frames = sample.metainfo.get('num_frames', t)
            mean = scores[i, :num_frames].mean(0)  # (Q,)
            best = int(mean.argmax())
            low = out['masks'][-1][i:i + 1, :, best][:, None]  # (1, 1, T, h', w')
            logits = resize_frames_bilinear(low, (h, w))[:, None]  # (1, 1, T, H, W) padded
            prob = self.original_size_logits(  # (T, H_ori, W_ori)
                logits, 0, sample, resize_frames_bilinear).sigmoid()
            sample.pred_masks = (prob > thr).cpu()
            if self.test_cfg.get('with_scores', False):
                sample.pred_scores = prob.half().cpu()
            sample.set_metainfo(dict(query_index=best, query_score=float(mean[best])))
        return data_samples
