"""A minimal transform base (no mmcv needed): ``__call__`` runs ``transform``."""
from typing import Optional


class RVOSTransform:
    """Base of mmflowrvs' transforms: a callable on the results dict.

    Returning ``None`` from :meth:`transform` drops the sample (MMEngine's
    datasets then fetch another one in training).
    """

    def transform(self, results: dict) -> Optional[dict]:
        """Transforms ``results`` in place (or returns a new dict)."""
        raise NotImplementedError

    def __call__(self, results: dict) -> Optional[dict]:
        return self.transform(results)

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in vars(self).items() if not k.startswith('_'))
        return f'{type(self).__name__}({args})'
