from .flowrvs import FlowRVS
from .mask_decoder_finetuner import MaskDecoderFinetuner

__all__ = ['FlowRVS', 'MaskDecoderFinetuner']
