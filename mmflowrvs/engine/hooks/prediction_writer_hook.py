"""Writes test predictions in a benchmark's official layout (``tools/test.py --pred-dir``)."""
from typing import Sequence

from mmengine.hooks import Hook

from mmflowrvs.registry import HOOKS


@HOOKS.register_module()
class PredictionWriterHook(Hook):
    """Writes each expression's masks as PNGs: ``mevis`` (``<video>/<exp_id>/<frame>.png``)
    or ``ref-ytvos`` (``Annotations/<video>/<exp_id>/<frame>.png``), 0/255.

    Ref-DAVIS merges all objects of a video per annotator, which its metric does
    (``RefDAVISMetric(outfile_prefix=...)``); ``tools/test.py`` routes it there.

    Args:
        pred_dir (str): Root of the prediction tree.
        layout (str): ``'mevis'`` or ``'ref-ytvos'``.
    """

    priority = 'LOW'

    def __init__(self, pred_dir: str, layout: str = 'mevis') -> None:
        if layout not in ('mevis', 'ref-ytvos'):
            raise ValueError(f'PredictionWriterHook writes mevis or ref-ytvos, got {layout!r}')
        self.pred_dir = pred_dir
        self.layout = layout
        self.num_pngs = 0

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        from mmflowrvs.evaluation.prediction_io import write_predictions
        for sample in outputs:
            self.num_pngs += write_predictions(sample, self.pred_dir, self.layout)

    def after_test_epoch(self, runner, metrics=None) -> None:
        runner.logger.info(f'wrote {self.num_pngs} prediction PNGs ({self.layout} layout) '
                           f'to {self.pred_dir}')
