"""Command-line tools report a user's mistake as one named error, not a traceback.

A wrong path, a bad annotation file, a foreign or corrupt checkpoint, a bad config
value: the tool prints ``error: <type>: <message>`` to stderr and exits with 1. The
traceback is printed only with ``--debug`` or ``MMFLOWRVS_DEBUG=1``. Other
exceptions (bugs) keep their traceback.
"""
import os
import sys
from typing import Any, Callable, Tuple, Type

DEBUG_FLAG = '--debug'
DEBUG_ENV = 'MMFLOWRVS_DEBUG'


def user_error_types() -> Tuple[Type[BaseException], ...]:
    """The exception types that mean bad input rather than a bug."""
    from mmflowrvs.datasets.data_errors import RVOSDataError
    from mmflowrvs.utils.work_dir_checkpoints import CorruptCheckpointError
    # CheckpointMismatchError is a ValueError; SyntaxError: a config file's
    return (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError,
            ValueError, KeyError, SyntaxError, RVOSDataError, CorruptCheckpointError)


def debug_requested(argv: list) -> bool:
    """Whether ``--debug`` is in ``argv`` or ``MMFLOWRVS_DEBUG`` is set (not 0)."""
    return DEBUG_FLAG in argv or os.environ.get(DEBUG_ENV, '0') not in ('', '0')


def run_tool(main: Callable[[], Any]) -> None:
    """Runs a tool's ``main`` and exits with its status (an int return, else 0).

    ``--debug`` is removed from ``sys.argv`` before ``main`` parses it.
    """
    debug = debug_requested(sys.argv)
    sys.argv = [a for a in sys.argv if a != DEBUG_FLAG]
    try:
        status = main()
    except user_error_types() as err:
        if debug:
            raise
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f'error: {type(err).__name__}: {message}', file=sys.stderr)
        print(f'(rerun with {DEBUG_FLAG} or {DEBUG_ENV}=1 for the traceback)', file=sys.stderr)
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)
