from .prediction_writer_hook import PredictionWriterHook
from .rvos_visualization_hook import RVOSVisualizationHook
from .sync_check_hook import DistributedSyncCheckHook

__all__ = ['DistributedSyncCheckHook', 'PredictionWriterHook', 'RVOSVisualizationHook']
