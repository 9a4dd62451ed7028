from .wan_backbone import WanBackbone

__all__ = ['WanBackbone']
