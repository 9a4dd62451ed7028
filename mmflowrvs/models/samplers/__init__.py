from .flow_samplers import FlowEulerSampler, FlowHeunSampler, shifted_schedule

__all__ = ['FlowEulerSampler', 'FlowHeunSampler', 'shifted_schedule']
