"""Registration of mmflowrvs' modules into MMEngine's registries."""
import datetime
import warnings

from mmengine import DefaultScope

from .compat import apply_compat_patches


def register_all_modules(init_default_scope: bool = True) -> None:
    """Applies the compatibility fixes and imports every mmflowrvs module so that
    its registrations run.

    The fixes (:func:`~mmflowrvs.utils.compat.apply_compat_patches`) are applied
    here, not when ``mmflowrvs`` is imported: call this before building a runner.

    Args:
        init_default_scope (bool): Whether to make ``mmflowrvs`` the default
            scope (so that configs can say ``type='FlowRVS'``). If another scope
            is current, a new ``mmflowrvs`` instance is created and made current.
            Defaults to True.
    """
    apply_compat_patches()
    import mmflowrvs.apis  # noqa: F401,F403
    import mmflowrvs.datasets  # noqa: F401,F403
    import mmflowrvs.engine  # noqa: F401,F403
    import mmflowrvs.evaluation  # noqa: F401,F403
    import mmflowrvs.models  # noqa: F401,F403
    import mmflowrvs.structures  # noqa: F401,F403
    import mmflowrvs.visualization  # noqa: F401,F403

    if init_default_scope:
        never_created = (DefaultScope.get_current_instance() is None
                         or not DefaultScope.check_instance_created('mmflowrvs'))
        if never_created:
            DefaultScope.get_instance('mmflowrvs', scope_name='mmflowrvs')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'mmflowrvs':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "mmflowrvs", '
                          '`register_all_modules` will force the current '
                          'default scope to be "mmflowrvs".')
            new_instance_name = f'mmflowrvs-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='mmflowrvs')
