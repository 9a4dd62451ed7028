from .inference import inference_rvos, init_model
from .video_io import fit_inside, read_video

__all__ = ['init_model', 'inference_rvos', 'read_video', 'fit_inside']
