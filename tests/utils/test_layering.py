"""mmflowrvs.utils sits below the models: it never imports them (except to register)."""
import ast
import os.path as osp
from glob import glob

UTILS = osp.join(osp.dirname(__file__), '..', '..', 'mmflowrvs', 'utils')
CORE = ('mmflowrvs/models', 'mmflowrvs/datasets', 'mmflowrvs/evaluation', 'mmflowrvs/engine')


def _imported_modules(path):
    tree = ast.parse(open(path).read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ('..' if node.level == 2 else '') + (node.module or '')
            yield base.replace('..', 'mmflowrvs.') if node.level == 2 else (
                f'mmflowrvs.utils.{base}' if node.level == 1 else base)


def test_utils_do_not_import_the_models():
    offenders = []
    for path in glob(osp.join(UTILS, '*.py')):
        if osp.basename(path) == 'setup_env.py':  # register_all_modules imports everything
            continue
        offenders += [(osp.basename(path), m) for m in _imported_modules(path)
                      if m.startswith('mmflowrvs.models')]
    assert offenders == []


def test_the_core_does_not_import_the_testing_helpers():
    root = osp.join(UTILS, '..', '..')
    offenders = []
    for sub in CORE:
        for path in glob(osp.join(root, sub, '**', '*.py'), recursive=True):
            offenders += [(path, m) for m in _imported_modules(path)
                          if m.startswith('mmflowrvs.testing')]
    assert offenders == []
