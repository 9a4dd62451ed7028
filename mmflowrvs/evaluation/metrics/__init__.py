"""Registered mmengine metrics of mmflowrvs."""
from .dump_rvos_results import DumpRVOSResults
from .ref_davis_metric import RefDAVISMetric
from .rvos_metric import RVOSMetric

__all__ = ['DumpRVOSResults', 'RVOSMetric', 'RefDAVISMetric']
