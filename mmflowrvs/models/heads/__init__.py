from .flow_matching_head import FlowMatchingHead

__all__ = ['FlowMatchingHead']
