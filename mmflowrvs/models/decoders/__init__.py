from .wan_mask_decoder import WanMaskDecoder

__all__ = ['WanMaskDecoder']
