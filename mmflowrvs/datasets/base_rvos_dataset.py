"""Shared machinery of the referring-video datasets: one item per expression (or, for
video-level testing, one item per video carrying all of its expressions).

Per-video data (frame stems, frame folder, objects) and per-annotation RLE lists
live in :class:`SerializedStore` s, not in every expression's data info; the data
list itself is serialised by MMEngine. ``get_data_info`` merges them back.
"""
import os
import os.path as osp
import warnings
from typing import Any, Dict, List, Optional, Tuple

import cv2
from mmengine.dataset import BaseDataset

from .data_errors import RVOSDataError
from .serialized_store import SerializedStore
from .text_utils import clean_expression, normalize_expression


class BaseRVOSDataset(BaseDataset):
    """Base class of MeViS / Ref-YouTube-VOS / Ref-DAVIS style datasets.

    Subclasses implement :meth:`parse_annotations`, which returns the video
    infos, the expression items and (optionally) the RLE lists per annotation.

    Args:
        split (str): Split folder name (``train``, ``valid_u``, ``valid``...).
        with_gt (bool, optional): Whether masks are available. ``None`` lets
            the subclass decide from the split.
        anchor_stride (int, optional): If set, each expression becomes
            ``ceil(num_frames / anchor_stride)`` items, one per anchor frame
            ``0, stride, 2*stride, ...`` (the reference's training epoch: anchors
            every 17 frames). ``None``: one item per expression.
        min_num_frames (int): Videos with fewer listed frames are invalid
            (Ref-YTVOS training skips videos shorter than the 17-frame clip).
        skip_invalid (bool, optional): Skip invalid expressions / samples with
            a warning and a count instead of raising. Defaults to
            ``not test_mode``; it is always False in test mode (testing never
            skips).
        lower_case (bool, optional): Whether expressions are lower-cased (the
            dataset only collapses whitespace and lower-cases; the text encoder
            cleans, once). Defaults to ``not test_mode``, as the reference does
            (training lower-cases; its inference passes the case as written, and
            UMT5 is case-sensitive).
        video_level (bool): Test mode only: one item per video, in the order of
            the expressions, whose ``expressions`` list holds each expression's
            item (exp_id, expression, obj_ids, masks' source...). The pipeline
            loads and resizes the frames once, ``LoadRVOSMasks`` decodes every
            expression's target and ``PackRVOSInputs`` packs a list of samples, one
            per expression; the model encodes the video once for all of them and
            the metrics score each expression as in the per-expression mode.
            Distributed testing shards by video. Defaults to False.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.
    """

    METAINFO: dict = dict(dataset_name='rvos')

    def __init__(self,
                 split: str,
                 with_gt: Optional[bool] = None,
                 anchor_stride: Optional[int] = None,
                 min_num_frames: int = 0,
                 skip_invalid: Optional[bool] = None,
                 lower_case: Optional[bool] = None,
                 video_level: bool = False,
                 test_mode: bool = False,
                 **kwargs) -> None:
        if video_level and not test_mode:
            raise ValueError(f'{type(self).__name__}: video_level=True is a test mode '
                             '(set test_mode=True)')
        if video_level and anchor_stride:
            raise ValueError(f'{type(self).__name__}: video_level=True and anchor_stride '
                             'exclude each other')
        self.video_level = video_level
        self.split = split
        self.with_gt = with_gt
        self.anchor_stride = anchor_stride
        self.min_num_frames = min_num_frames
        self.skip_invalid = (not test_mode) if skip_invalid is None else skip_invalid
        if test_mode:
            self.skip_invalid = False
        self.lower_case = (not test_mode) if lower_case is None else lower_case
        self.num_skipped_at_init = 0
        self.num_skipped_samples = 0
        self._videos: Optional[SerializedStore] = None
        self._annos: Optional[SerializedStore] = None
        # OpenCV's thread pool does not survive fork(): a dataloader worker forked
        # after the parent resized a frame deadlocks. One worker = one core anyway.
        cv2.setNumThreads(int(os.environ.get('MMFLOWRVS_CV2_THREADS', 0)))
        kwargs.setdefault('serialize_data', True)
        super().__init__(test_mode=test_mode, **kwargs)

    # -- to implement -------------------------------------------------------
    def parse_annotations(
            self) -> Tuple[Dict[str, dict], List[dict], Optional[Dict[str, list]]]:
        """Reads the annotation files.

        Returns:
            tuple: ``videos`` {video_id: dict(frame_ids=list[str],
            frame_dir=str, ...)}, ``items`` (one dict per expression with at
            least video_id, exp_id, expression, obj_ids, no_target, mask_type
            in {'rle', 'png', None}) and ``annos`` {anno_id (str): [RLE dict or
            None per frame]} or None.
        """
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------
    def invalid(self, message: str) -> None:
        """Raises :class:`RVOSDataError` or, when skipping, warns and counts."""
        if not self.skip_invalid:
            raise RVOSDataError(message)
        self.num_skipped_at_init += 1
        warnings.warn(f'{message} -> skipped ({self.num_skipped_at_init} skipped so far)')

    def expression_of(self, video_id: str, exp_id: str, exp: dict) -> Optional[str]:
        """The expression of one annotation entry as the reference's datasets give it
        (whitespace collapsed, lower-cased if ``lower_case``; the text encoder cleans
        it), or None when it is missing or empty after cleaning (after
        :meth:`invalid`: raised in testing, skipped and counted in training)."""
        raw = exp.get('exp') if isinstance(exp, dict) else None
        text = normalize_expression(raw, lower=self.lower_case) if isinstance(raw, str) else ''
        if not clean_expression(text, lower=False):
            self.invalid(f"video '{video_id}' exp '{exp_id}': empty or missing expression "
                         f'{raw!r} in {self.ann_file}')
            return None
        return text

    @staticmethod
    def _check_file(path: str, what: str) -> str:
        if not osp.isfile(path):
            raise FileNotFoundError(f'{what} not found: {path}')
        return path

    # -- BaseDataset API ----------------------------------------------------
    def load_data_list(self) -> List[dict]:
        if self.data_root and not osp.isdir(self.data_root):
            raise FileNotFoundError(f'{type(self).__name__}: data root not found: '
                                    f'{self.data_root}')
        videos, items, annos = self.parse_annotations()
        kept = []
        for item in items:
            video = videos[item['video_id']]
            n = len(video['frame_ids'])
            if n == 0 or n < self.min_num_frames:
                self.invalid(f"video '{item['video_id']}' exp '{item['exp_id']}': "
                             f'{n} frames listed in {self.ann_file}, fewer than '
                             f'min_num_frames={max(self.min_num_frames, 1)}')
                continue
            if self.anchor_stride:
                for anchor in range(0, n, self.anchor_stride):
                    kept.append(dict(item, anchor=anchor))
            else:
                kept.append(item)
        if not kept:
            raise RVOSDataError(f'no expression left in {self.ann_file} '
                                f'({self.num_skipped_at_init} skipped)')
        used = {it['video_id'] for it in kept}
        self._videos = SerializedStore({k: v for k, v in videos.items() if k in used})
        if annos is not None:
            need = {str(a) for it in kept for a in it.get('anno_ids', [])}
            self._annos = SerializedStore({k: v for k, v in annos.items() if k in need})
        return self._group_by_video(kept) if self.video_level else kept

    @staticmethod
    def _group_by_video(items: List[dict]) -> List[dict]:
        """One item per video (first-appearance order) with its ``expressions``."""
        videos: Dict[str, dict] = {}
        for item in items:
            vid = item['video_id']
            if vid not in videos:
                videos[vid] = dict(video_id=vid, exp_id='*', expressions=[])
            videos[vid]['expressions'].append(item)
        return list(videos.values())

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        info.update(self._videos[info['video_id']])
        for exp in info.get('expressions', [info]):
            if exp.get('mask_type') == 'rle':
                exp['mask_rles'] = [self._annos[str(a)] for a in exp['anno_ids']]
                exp['mask_file'] = self.data_prefix.get('mask_path')
        return info

    def prepare_data(self, idx: int) -> Any:
        try:
            return super().prepare_data(idx)
        except RVOSDataError as err:
            if self.test_mode or not self.skip_invalid:
                raise
            self.num_skipped_samples += 1
            warnings.warn(f'{err} -> sample skipped ({self.num_skipped_samples} '
                          'skipped so far in this process)')
            return None

    def store_nbytes(self) -> int:
        """Bytes of the serialised data list plus the video/annotation stores."""
        total = int(getattr(self, 'data_bytes', b'').nbytes) if self.serialize_data else 0
        total += self._videos.nbytes if self._videos is not None else 0
        total += self._annos.nbytes if self._annos is not None else 0
        return total
