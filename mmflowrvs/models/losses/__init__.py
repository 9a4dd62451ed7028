from .mask_losses import MaskDiceLoss, SigmoidFocalLoss
from .video_set_criterion import VideoSetCriterion

__all__ = ['MaskDiceLoss', 'SigmoidFocalLoss', 'VideoSetCriterion']
