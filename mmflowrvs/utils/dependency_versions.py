"""The dependency versions mmflowrvs is tested with, checked when it is imported.

diffusers: the mask decoder and the chunked VAE encode pass ``first_chunk`` to the
Wan VAE's causal blocks, which diffusers has from 0.35.0; the upper bound is the
newest minor release the test suite has run on.
"""
import importlib.metadata
from typing import Tuple

from packaging.version import Version

DIFFUSERS_RANGE: Tuple[str, str] = ('0.35.0', '0.43')  # [lower, upper)


def check_diffusers_version(version: str = None) -> None:
    """Raises if the installed diffusers is outside :data:`DIFFUSERS_RANGE`.

    Args:
        version (str, optional): The version to check; the installed one by default.

    Raises:
        ImportError: Naming the version found and the supported range.
    """
    version = version or importlib.metadata.version('diffusers')
    low, high = DIFFUSERS_RANGE
    if not Version(low) <= Version(version) < Version(high):
        raise ImportError(f'mmflowrvs needs diffusers>={low},<{high} (the range it is tested '
                          f'with; the Wan VAE needs first_chunk), found diffusers {version}: '
                          f'pip install "diffusers>={low},<{high}"')
