"""Draws predicted (and ground-truth) masks during validation and testing."""
import os.path as osp
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.visualization import Visualizer

from mmflowrvs.registry import HOOKS


@HOOKS.register_module()
class RVOSVisualizationHook(Hook):
    """Writes overlays of every ``interval``-th expression (mmdet's visualisation hook
    for videos).

    In validation the strips go to the visualiser's backends; in testing with
    ``draw=True`` and ``test_out_dir`` set (``tools/test.py --show-dir``) each
    expression becomes ``<work_dir>/<timestamp>/<test_out_dir>/<video>_<exp_id>.mp4``.

    Args:
        draw (bool): Draw at all. Defaults to False.
        interval (int): Every n-th sample. Defaults to 1.
        draw_gt (bool): Also draw the ground truth (a second colour). Defaults to True.
        test_out_dir (str, optional): Output subfolder in testing.
        max_samples (int, optional): Stop after this many drawings per run.
    """

    priority = 'NORMAL'

    def __init__(self, draw: bool = False, interval: int = 1, draw_gt: bool = True,
                 test_out_dir: Optional[str] = None, max_samples: Optional[int] = None,
                 fps: int = 5) -> None:
        self.draw = draw
        self.interval = interval
        self.draw_gt = draw_gt
        self.test_out_dir = test_out_dir
        self.max_samples = max_samples
        self.fps = fps
        self._count = 0

    def _visualizer(self):
        return Visualizer.get_current_instance()

    def _draw(self, runner, data_batch: dict, outputs: Sequence, out_dir: Optional[str],
              step: int) -> None:
        if not self.draw:
            return
        vis = self._visualizer()
        inputs = data_batch['inputs']
        for i, sample in enumerate(outputs):
            # a video-level batch has one input per video, one output per expression
            frames = inputs[sample.metainfo.get('input_index', i)]
            if self.max_samples is not None and self._count >= self.max_samples:
                return
            self._count += 1
            if (self._count - 1) % self.interval:
                continue
            name = f"{sample.metainfo.get('video_id', 'video')}_{sample.metainfo.get('exp_id', 0)}"
            out_file = osp.join(out_dir, f'{name}.mp4') if out_dir else None
            vis.add_datasample(name, frames, data_sample=sample, draw_gt=self.draw_gt,
                               out_file=out_file, step=step, fps=self.fps)

    def before_val(self, runner) -> None:
        self._count = 0

    def before_test(self, runner) -> None:
        self._count = 0

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence) -> None:
        self._draw(runner, data_batch, outputs, None, runner.iter)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        out_dir = None
        if self.test_out_dir is not None:
            out_dir = osp.join(runner.work_dir, runner.timestamp, self.test_out_dir)
        self._draw(runner, data_batch, outputs, out_dir, batch_idx)
