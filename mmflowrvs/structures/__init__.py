from .rvos_data_sample import RVOSDataSample
from .rvos_video_data_sample import RVOSVideoDataSample

__all__ = ['RVOSDataSample', 'RVOSVideoDataSample']
