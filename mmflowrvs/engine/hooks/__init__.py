from .checkpoint_keys_hook import CheckpointKeysHook, require_matching_checkpoint
from .fp32_ema_hook import FP32EMAHook
from .prediction_writer_hook import PredictionWriterHook
from .rvos_visualization_hook import RVOSVisualizationHook
from .sync_check_hook import DistributedSyncCheckHook

__all__ = ['CheckpointKeysHook', 'DistributedSyncCheckHook', 'FP32EMAHook',
           'PredictionWriterHook', 'RVOSVisualizationHook', 'require_matching_checkpoint']
