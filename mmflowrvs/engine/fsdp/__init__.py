from .ignoring_wrapper import FSDPIgnoringSubmodules
from .wrap_policy import dtype_uniform_wrap_policy

__all__ = ['FSDPIgnoringSubmodules', 'dtype_uniform_wrap_policy']
