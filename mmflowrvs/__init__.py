"""mmflowrvs: referring video object segmentation by flow matching (FlowRVS), on MMEngine."""
from .utils.compat import apply_compat_patches
from .version import __version__

apply_compat_patches()

__all__ = ['__version__']
