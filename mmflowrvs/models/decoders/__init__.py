from .cross_modal_pixel_decoder import CrossModalPixelDecoder
from .wan_mask_decoder import WanMaskDecoder

__all__ = ['CrossModalPixelDecoder', 'WanMaskDecoder']
