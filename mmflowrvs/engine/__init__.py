from .fsdp import *  # noqa: F401,F403
from .hooks import *  # noqa: F401,F403
from .optim_wrappers import *  # noqa: F401,F403
from .trainable_ema import TrainableFP32EMA  # noqa: F401
