from .base_rvos_model import BaseRVOSModel
from .flowrvs import FlowRVS
from .mask_decoder_finetuner import MaskDecoderFinetuner
from .wan_vae_pretrainer import WanVAEPretrainer

__all__ = ['BaseRVOSModel', 'FlowRVS', 'MaskDecoderFinetuner', 'WanVAEPretrainer']
