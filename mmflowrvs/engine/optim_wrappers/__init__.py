from .autocast_optim_wrapper import AutocastOptimWrapper
from .sharded_clip_optim_wrapper import ShardedClipOptimWrapper

__all__ = ['AutocastOptimWrapper', 'ShardedClipOptimWrapper']
