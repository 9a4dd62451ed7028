from .wan_vae import WanVAEEncoder

__all__ = ['WanVAEEncoder']
