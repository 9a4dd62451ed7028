from .base_rvos_model import BaseRVOSModel
from .flowrvs import FlowRVS
from .mask_decoder_finetuner import MaskDecoderFinetuner
from .referformer import ReferFormer
from .wan_vae_pretrainer import WanVAEPretrainer

__all__ = ['BaseRVOSModel', 'FlowRVS', 'MaskDecoderFinetuner', 'ReferFormer', 'WanVAEPretrainer']
