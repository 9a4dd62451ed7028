"""Installs mmflowrvs (``pip install -e .``); see tools/install.sh for a full set-up."""
import os

from setuptools import find_packages, setup


def read_version() -> str:
    ns = {}
    with open(os.path.join('mmflowrvs', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


def read_requirements(name: str) -> list:
    with open(os.path.join('requirements', name)) as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith('#')]


setup(
    name='mmflowrvs',
    version=read_version(),
    description='FlowRVS: referring video object segmentation by flow matching, on MMEngine',
    long_description=open('README.md').read() if os.path.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=("configs*", "tools*", "demo*", "tests", "tests.*")),
    include_package_data=True,
    python_requires='>=3.9',
    install_requires=read_requirements('runtime.txt'),
    extras_require={'tests': read_requirements('tests.txt'), 'mmcv': ['mmcv>=2.0.0rc4,<2.2.0']},
    license='Apache License 2.0',
    zip_safe=False,
)
