from .multi_level_features import flatten_levels, frame_padding_masks, split_levels
from .text_conditioned_queries import TextConditionedQueries
from .vision_language_fusion import FeatureResizer, VisionLanguageBlock, VisionLanguageFusion

__all__ = ['FeatureResizer', 'TextConditionedQueries', 'VisionLanguageBlock',
           'VisionLanguageFusion', 'flatten_levels', 'frame_padding_masks', 'split_levels']
