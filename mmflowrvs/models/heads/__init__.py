from .dynamic_mask_head import DynamicMaskHead

__all__ = ['DynamicMaskHead']
