"""mmflowrvs: referring video object segmentation by flow matching (FlowRVS), on MMEngine.

Importing the package changes nothing in torch or MMEngine: the compatibility fixes
of :mod:`mmflowrvs.utils.compat` are applied by ``register_all_modules()``.
"""
from .utils.dependency_versions import check_diffusers_version
from .version import __version__

check_diffusers_version()

__all__ = ['__version__']
