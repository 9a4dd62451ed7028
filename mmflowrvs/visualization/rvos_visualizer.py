"""Drawing of referring-video clips: masks (one colour per mask) and the expression."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from mmengine.visualization import Visualizer

from mmflowrvs.registry import VISUALIZERS

#: RGB colours cycled over the masks of a sample (GT first, then predictions).
MASK_COLORS: Tuple[Tuple[int, int, int], ...] = (
    (0, 200, 80), (230, 50, 50), (40, 120, 255), (250, 200, 0), (200, 60, 220), (0, 220, 220))


def _to_frames(image: Union[np.ndarray, torch.Tensor]) -> np.ndarray:
    """(T, 3, H, W) tensor or (T, H, W, 3) / (H, W, 3) array -> (T, H, W, 3) uint8 RGB."""
    if isinstance(image, torch.Tensor):
        image = image.detach().cpu()
        if image.dim() == 4 and image.shape[1] == 3:
            image = image.permute(0, 2, 3, 1)
        image = image.numpy()
    image = np.asarray(image)
    if image.ndim == 3:
        image = image[None]
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    return image


def _fit_masks(masks: Union[np.ndarray, torch.Tensor], t: int, hw: Tuple[int, int]) -> np.ndarray:
    """(T, h, w) bool resized (nearest) to hw."""
    if isinstance(masks, torch.Tensor):
        masks = masks.detach().cpu().numpy()
    masks = np.asarray(masks).astype(bool)[:t]
    if masks.shape[1:] != tuple(hw):
        masks = np.stack([cv2.resize(m.astype(np.uint8), (hw[1], hw[0]),
                                     interpolation=cv2.INTER_NEAREST) for m in masks]) > 0
    return masks


@VISUALIZERS.register_module()
class RVOSVisualizer(Visualizer):
    """Draws a clip's masks and its expression; writes frame strips or mp4s.

    Args:
        name (str): Instance name. Defaults to 'visualizer'.
        alpha (float): Mask opacity. Defaults to 0.5.
        max_cols (int): Frames per row of the strip image. Defaults to 6.
        **kwargs: Passed to :class:`mmengine.visualization.Visualizer`.
    """

    def __init__(self, name: str = 'visualizer', alpha: float = 0.5, max_cols: int = 6,
                 **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.alpha = alpha
        self.max_cols = max_cols

    def draw_clip(self, frames: Union[np.ndarray, torch.Tensor],
                  masks: Sequence[Union[np.ndarray, torch.Tensor]] = (),
                  text: Optional[str] = None,
                  colors: Optional[Sequence[Tuple[int, int, int]]] = None) -> List[np.ndarray]:
        """Overlays masks (one colour each, with contours) and the text on every frame.

        Args:
            frames: (T, 3, H, W) tensor or (T, H, W, 3) RGB uint8 array.
            masks: Each (T, h, w) bool; resized to the frames if needed.
            text (str, optional): Written at the top of each frame.
            colors: RGB per mask. Defaults to :data:`MASK_COLORS`.

        Returns:
            list[np.ndarray]: T drawn (H, W, 3) RGB frames.
        """
        frames = _to_frames(frames)
        t, h, w = frames.shape[:3]
        colors = colors or MASK_COLORS
        fitted = [_fit_masks(m, t, (h, w)) for m in masks]
        out = []
        for f in range(t):
            img = frames[f].astype(np.float32)
            edges = []
            for k, m in enumerate(fitted):
                if f >= len(m) or not m[f].any():
                    continue
                color = np.array(colors[k % len(colors)], dtype=np.float32)
                img[m[f]] = (1 - self.alpha) * img[m[f]] + self.alpha * color
                cnts, _ = cv2.findContours(m[f].astype(np.uint8), cv2.RETR_EXTERNAL,
                                           cv2.CHAIN_APPROX_SIMPLE)
                edges.append((cnts, tuple(int(c) for c in color)))
            img = np.ascontiguousarray(img.astype(np.uint8))
            for cnts, color in edges:
                cv2.drawContours(img, cnts, -1, color, 1)
            if text:
                self._put_text(img, text)
            out.append(img)
        return out

    @staticmethod
    def _put_text(img: np.ndarray, text: str) -> None:
        scale = max(0.3, img.shape[1] / 900)
        thick = max(1, int(round(scale * 2)))
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        cv2.rectangle(img, (0, 0), (min(img.shape[1], tw + 6), th + base + 6), (0, 0, 0), -1)
        cv2.putText(img, text, (3, th + 3), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255),
                    thick, cv2.LINE_AA)

    def tile(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        """Lays frames out in rows of ``max_cols`` (H_tile, W_tile, 3)."""
        cols = min(self.max_cols, len(frames))
        rows = -(-len(frames) // cols)
        h, w = frames[0].shape[:2]
        canvas = np.zeros((rows * h, cols * w, 3), dtype=np.uint8)
        for i, f in enumerate(frames):
            r, c = divmod(i, cols)
            canvas[r * h:(r + 1) * h, c * w:(c + 1) * w] = f
        return canvas

    def add_datasample(self, name: str, image: Union[np.ndarray, torch.Tensor],
                       data_sample=None, draw_gt: bool = True, draw_pred: bool = True,
                       show: bool = False, wait_time: float = 0, out_file: Optional[str] = None,
                       step: int = 0, fps: int = 5) -> List[np.ndarray]:
        """Draws GT and/or predicted masks of an :class:`RVOSDataSample` on its clip.

        Writes ``out_file`` as an mp4 (``.mp4``) or a frame-strip image (other
        extensions); otherwise sends the strip to the visualisation backends.

        Returns:
            list[np.ndarray]: The drawn RGB frames.
        """
        masks, text = [], None
        if data_sample is not None:
            text = data_sample.metainfo.get('expression')
            if draw_gt and 'gt_masks' in data_sample:
                masks.append(data_sample.gt_masks)
            if draw_pred and 'pred_masks' in data_sample:
                masks.append(data_sample.pred_masks)
        drawn = self.draw_clip(image, masks, text)
        strip = self.tile(drawn)
        if show:
            self.show(strip, win_name=name, wait_time=wait_time)
        if out_file is not None:
            os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
            if out_file.endswith('.mp4'):
                write_mp4(out_file, drawn, fps)
            else:
                cv2.imwrite(out_file, cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))
        else:
            self.add_image(name, strip, step)
        return drawn


def write_mp4(path: str, frames: Sequence[np.ndarray], fps: int = 5) -> None:
    """Writes RGB frames as an H.264 mp4 (imageio-ffmpeg), padding to even sizes."""
    import imageio
    h, w = frames[0].shape[:2]
    ph, pw = h + h % 2, w + w % 2
    with imageio.get_writer(path, fps=fps, macro_block_size=1) as writer:
        for f in frames:
            if (ph, pw) != (h, w):
                f = np.pad(f, ((0, ph - h), (0, pw - w), (0, 0)))
            writer.append_data(f)
