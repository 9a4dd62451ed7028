"""Registered transforms of mmflowrvs' RVOS pipelines."""
from .base import RVOSTransform
from .formatting import PackRVOSInputs
from .frame_sampling import ReferenceSampleFrames, UniformSampleFrames, target_present
from .geometric import InferenceResize, ReferenceTrainResize, RVOSRandomFlip, short_side_size
from .image_to_clip import ImageToRVOSClip
from .in_memory import LoadRVOSFramesFromNDArray
from .loading import LoadRVOSFrames, LoadRVOSMasks, decode_rle_union, read_palette_png
from .pseudo_video import ImageToPseudoVideo, affine_matrix

__all__ = [
    'RVOSTransform', 'PackRVOSInputs', 'ReferenceSampleFrames', 'UniformSampleFrames',
    'target_present', 'InferenceResize', 'ReferenceTrainResize', 'RVOSRandomFlip',
    'short_side_size', 'ImageToRVOSClip', 'LoadRVOSFrames', 'LoadRVOSFramesFromNDArray',
    'LoadRVOSMasks', 'decode_rle_union', 'read_palette_png', 'ImageToPseudoVideo',
    'affine_matrix'
]
