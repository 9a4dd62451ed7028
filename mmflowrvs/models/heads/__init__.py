from .dynamic_mask_head import DynamicMaskHead
from .flow_matching_head import FlowMatchingHead

__all__ = ['DynamicMaskHead', 'FlowMatchingHead']
