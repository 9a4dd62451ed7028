"""Per-pixel mask losses on logits: sigmoid focal and dice."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmflowrvs.registry import MODELS


@MODELS.register_module()
class SigmoidFocalLoss(nn.Module):
    """Sigmoid focal loss (Lin et al.) averaged over pixels.

    Args:
        alpha (float): Weight of the foreground term. Defaults to 0.25.
        gamma (float): Focusing exponent. Defaults to 2.
        loss_weight (float): Defaults to 1.
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.alpha, self.gamma, self.loss_weight = alpha, gamma, loss_weight

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """logits, target: same shape; target in {0, 1}."""
        target = target.float()
        prob = torch.sigmoid(logits)
        ce = F.binary_cross_entropy_with_logits(logits, target, reduction='none')
        p_t = prob * target + (1 - prob) * (1 - target)
        alpha_t = self.alpha * target + (1 - self.alpha) * (1 - target)
        return self.loss_weight * (alpha_t * (1 - p_t) ** self.gamma * ce).mean()


@MODELS.register_module()
class MaskDiceLoss(nn.Module):
    """Soft dice loss 1 - (2 |p g| + eps) / (|p| + |g| + eps), per sample, averaged.

    Args:
        eps (float): Smoothing. Defaults to 1.
        loss_weight (float): Defaults to 1.
    """

    def __init__(self, eps: float = 1.0, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.eps, self.loss_weight = eps, loss_weight

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """logits, target: (N, ...) with N samples."""
        prob = torch.sigmoid(logits).flatten(1)
        target = target.float().flatten(1)
        inter = (prob * target).sum(1)
        dice = (2 * inter + self.eps) / (prob.sum(1) + target.sum(1) + self.eps)
        return self.loss_weight * (1 - dice).mean()
