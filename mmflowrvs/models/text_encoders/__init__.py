from .prompt_utils import clean_prompt, swap_left_right
from .umt5_text_encoder import UMT5TextEncoder

__all__ = ['UMT5TextEncoder', 'clean_prompt', 'swap_left_right']
