from .flow_samplers import FlowEulerSampler, FlowHeunSampler, shifted_schedule
from .frame_averaged_cost import FrameAveragedCost

__all__ = ['FlowEulerSampler', 'FlowHeunSampler', 'FrameAveragedCost', 'shifted_schedule']
