"""The start-up check that a folder is a diffusers-format Wan 2.1 folder."""
import os

WAN_SUBFOLDERS = ('transformer', 'vae', 'text_encoder', 'tokenizer')


def check_wan_folder(folder: str, subfolders=WAN_SUBFOLDERS) -> None:
    """Raises a clear error if ``folder`` is not a diffusers-format Wan folder.

    Args:
        folder (str): The folder given as ``model.pretrained``.
        subfolders (tuple[str]): Subfolders that must exist, each with its
            ``config.json`` (tokenizer: ``tokenizer_config.json``).
    """
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f'Wan folder not found: {folder!r} (model.pretrained must name a local '
            'diffusers-format Wan 2.1 folder, e.g. Wan2.1-T2V-1.3B-Diffusers, or one '
            'made by tools/misc/make_tiny_wan.py)')
    for sub in subfolders:
        path = os.path.join(folder, sub)
        marker = 'tokenizer_config.json' if sub == 'tokenizer' else 'config.json'
        if not os.path.isfile(os.path.join(path, marker)):
            raise FileNotFoundError(
                f'Wan folder {folder!r} is missing {sub}/{marker}: expected the '
                f'diffusers layout with subfolders {", ".join(subfolders)}')
