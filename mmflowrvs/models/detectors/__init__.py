from .flowrvs import FlowRVS
from .mask_decoder_finetuner import MaskDecoderFinetuner
from .wan_vae_pretrainer import WanVAEPretrainer

__all__ = ['FlowRVS', 'MaskDecoderFinetuner', 'WanVAEPretrainer']
