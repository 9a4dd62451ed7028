"""The one check that a folder is a diffusers-format Wan 2.1 folder.

The tools run it on the whole folder at start-up (``check_wan_folder``, through
``preflight``); each Wan component resolves its own subfolder through it when it
is built (``wan_subfolder``), so both fail with the same message.
"""
import os
from typing import Optional, Sequence

WAN_SUBFOLDERS = ('transformer', 'vae', 'text_encoder', 'tokenizer')


def wan_subfolder(folder: Optional[str], subfolder: str) -> str:
    """Returns ``folder/subfolder`` after checking that it holds its config.

    Args:
        folder (str): The diffusers-format Wan folder (``model.pretrained``).
        subfolder (str): ``transformer``, ``vae``, ``text_encoder`` or ``tokenizer``
            (or another name in that layout).

    Raises:
        ValueError: If ``folder`` is not set.
        FileNotFoundError: If the folder or the subfolder's config is missing.
    """
    if not folder:
        raise ValueError(f'no Wan folder given: set model.pretrained (needed for {subfolder}/)')
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f'Wan folder not found: {folder!r} (model.pretrained must name a local '
            'diffusers-format Wan 2.1 folder, e.g. Wan2.1-T2V-1.3B-Diffusers, or one '
            'made by tools/misc/make_tiny_wan.py)')
    path = os.path.join(folder, subfolder)
    marker = 'tokenizer_config.json' if subfolder == 'tokenizer' else 'config.json'
    if not os.path.isfile(os.path.join(path, marker)):
        raise FileNotFoundError(
            f'Wan folder {folder!r} is missing {subfolder}/{marker}: expected the '
            f'diffusers layout with subfolders {", ".join(WAN_SUBFOLDERS)}')
    return path


def check_wan_folder(folder: str, subfolders: Sequence[str] = WAN_SUBFOLDERS) -> None:
    """Raises a clear error if ``folder`` lacks one of ``subfolders`` (see
    :func:`wan_subfolder`)."""
    for sub in subfolders:
        wan_subfolder(folder, sub)
