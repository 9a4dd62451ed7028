from .umt5_text_encoder import UMT5TextEncoder

__all__ = ['UMT5TextEncoder']
