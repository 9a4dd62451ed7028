from .flow_matching_objective import FlowMatchingObjective, check_model_paradigm, check_paradigm

__all__ = ['FlowMatchingObjective', 'check_model_paradigm', 'check_paradigm']
