"""Decoding of one frame file, refusing incomplete JPEGs (used by every frame reader).

``cv2.imread`` decodes a truncated JPEG without an error: libjpeg prints "Premature
end of JPEG file" and fills the missing rows with grey. A complete JPEG ends its
last scan with the EOI marker (``FF D9``); entropy-coded data never holds a marker
(0xFF bytes are stuffed), so a file whose last start-of-scan (``FF DA``) has no EOI
after it was cut short. The check runs on the bytes the decoder reads anyway.
"""
import os.path as osp

import cv2
import numpy as np

_SOI, _SOS, _EOI = b'\xff\xd8', b'\xff\xda', b'\xff\xd9'


def jpeg_is_complete(data: bytes) -> bool:
    """Whether a JPEG byte string has an EOI marker after its last scan.

    Data after the EOI (camera trailers) and EXIF thumbnails (which have their
    own EOI before the main image's scans) are allowed.
    """
    sos = data.rfind(_SOS)
    return sos >= 0 and data.find(_EOI, sos + 2) >= 0


def read_rgb_frame(path: str, flag: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """Reads a frame file as (H, W, 3) RGB uint8.

    Args:
        path (str): JPEG, PNG or any format OpenCV decodes.
        flag (int): ``cv2.IMREAD_COLOR`` or a ``cv2.IMREAD_REDUCED_COLOR_*``.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file is empty, not an image, or a truncated JPEG (the
            message names the file).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'frame file missing: {path}')
    with open(path, 'rb') as f:
        data = f.read()
    if not data:
        raise ValueError(f'cannot decode frame {path}: the file is empty')
    if data.startswith(_SOI) and not jpeg_is_complete(data):
        raise ValueError(f'cannot decode frame {path}: truncated JPEG (no end-of-image '
                         'marker after the last scan; the file was cut short)')
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if img is None:
        raise ValueError(f'cannot decode frame {path} (corrupt or not an image)')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
