"""ReferFormer's language-as-queries: N queries whose content is the sentence feature."""
from typing import Tuple

import torch
import torch.nn as nn
from mmengine.model import xavier_init

from mmflowrvs.registry import MODELS


@MODELS.register_module()
class TextConditionedQueries(nn.Module):
    """Builds the decoder's queries from the expression.

    Every query's content is the (resized) sentence feature; N learnt embeddings give
    the queries' positions and, through a linear layer, their initial reference points.
    The same N queries serve every frame of a clip, so query i in all frames is one
    instance sequence (matched to the target as a whole).

    Args:
        num_queries (int): N (5 in ReferFormer).
        embed_dims (int): Model width.
    """

    def __init__(self, num_queries: int, embed_dims: int) -> None:
        super().__init__()
        self.num_queries = num_queries
        self.query_pos = nn.Embedding(num_queries, embed_dims)
        self.reference_points_fc = nn.Linear(embed_dims, 2)
        xavier_init(self.reference_points_fc, distribution='uniform', bias=0.0)

    def forward(self, sentence: torch.Tensor,
                num_frames: int) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries for every frame of the clips.

        Args:
            sentence (Tensor): (B, C) sentence features.
            num_frames (int): T.

        Returns:
            tuple: content (B*T, N, C), position (B*T, N, C) and initial reference
            points (B*T, N, 2) as normalised (x, y).
        """
        b, c = sentence.shape
        content = sentence[:, None, None].expand(b, num_frames, self.num_queries, c)
        content = content.reshape(b * num_frames, self.num_queries, c)
        pos = self.query_pos.weight[None].expand(b * num_frames, -1, -1)
        return content, pos, self.reference_points_fc(pos).sigmoid()
