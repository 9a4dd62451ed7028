"""Expression cleaning lives in :mod:`mmflowrvs.utils.text_utils` (models share it)."""
from mmflowrvs.utils.text_utils import clean_expression, normalize_expression, swap_left_right

__all__ = ['clean_expression', 'normalize_expression', 'swap_left_right']
