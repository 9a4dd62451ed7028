"""mmflowrvs: referring video object segmentation by flow matching (FlowRVS), on MMEngine."""
from .utils.compat import apply_compat_patches
from .utils.dependency_versions import check_diffusers_version
from .version import __version__

check_diffusers_version()
apply_compat_patches()

__all__ = ['__version__']
