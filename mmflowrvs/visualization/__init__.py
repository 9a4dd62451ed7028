"""Visualisation of referring-video clips and predictions."""
from .rvos_visualizer import MASK_COLORS, RVOSVisualizer, write_mp4

__all__ = ['MASK_COLORS', 'RVOSVisualizer', 'write_mp4']
