"""Registered mmengine metrics of mmflowrvs."""
from .ref_davis_metric import RefDAVISMetric
from .rvos_metric import RVOSMetric

__all__ = ['RVOSMetric', 'RefDAVISMetric']
