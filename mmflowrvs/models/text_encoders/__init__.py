from .roberta_text_encoder import RobertaTextEncoder
from .umt5_text_encoder import UMT5TextEncoder

__all__ = ['RobertaTextEncoder', 'UMT5TextEncoder']
