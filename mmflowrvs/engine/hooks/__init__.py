from .prediction_writer_hook import PredictionWriterHook
from .rvos_visualization_hook import RVOSVisualizationHook

__all__ = ['PredictionWriterHook', 'RVOSVisualizationHook']
