from .frame_averaged_cost import FrameAveragedCost

__all__ = ['FrameAveragedCost']
