from .mask_losses import MaskDiceLoss, SigmoidFocalLoss

__all__ = ['MaskDiceLoss', 'SigmoidFocalLoss']
