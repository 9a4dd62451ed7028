from .rvos_data_preprocessor import RVOSDataPreprocessor

__all__ = ['RVOSDataPreprocessor']
