# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Install mmocr_vlp.

Besides the package, ``mmocr_vlp/.mim/{configs,tools}`` is created so that
``mim train mmocr_vlp <config>`` and ``_base_ = ['mmocr_vlp::<config>']``
work from any directory (the mechanism mmocr's own setup.py uses): as
symlinks for an editable install, as copies when building a wheel.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

ROOT = osp.dirname(osp.abspath(__file__))
MIM_ITEMS = ('configs', 'tools', 'model-index.yml')


def read_version() -> str:
    scope: dict = {}
    with open(osp.join(ROOT, 'mmocr_vlp', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements(path: str) -> list:
    """Requirement lines of ``path`` (relative to the repository root)."""
    out = []
    with open(osp.join(ROOT, path)) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                out.append(line)
    return out


def link_or_copy_mim_files() -> None:
    """Populate ``mmocr_vlp/.mim`` with configs, tools and the model index."""
    editable = any(c in sys.argv for c in ('develop', 'editable_wheel'))
    building = any(c in sys.argv
                   for c in ('bdist_wheel', 'sdist', 'install', 'build'))
    if not (editable or building):
        return
    mim_dir = osp.join(ROOT, 'mmocr_vlp', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for item in MIM_ITEMS:
        src, dst = osp.join(ROOT, item), osp.join(mim_dir, item)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if editable:
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isfile(src):
            shutil.copyfile(src, dst)
        else:
            shutil.copytree(src, dst,
                            ignore=shutil.ignore_patterns('__pycache__'))


def package_files(*dirs: str) -> list:
    """Every file under ``mmocr_vlp/<dir>``, relative to the package."""
    pkg = osp.join(ROOT, 'mmocr_vlp')
    out = []
    for d in dirs:
        for base, _, files in os.walk(osp.join(pkg, d), followlinks=True):
            out += [osp.relpath(osp.join(base, f), pkg) for f in files
                    if not f.endswith('.pyc')]
    return out


if __name__ == '__main__':
    link_or_copy_mim_files()
    setup(
        name='mmocr_vlp',
        version=read_version(),
        description='Weakly supervised vision-language pre-training for '
        'scene text (oCLIP, WeCromCL, SRSTS-A, TextBPN) as an mmocr plugin',
        long_description=open(osp.join(ROOT, 'README.md')).read(),
        long_description_content_type='text/markdown',
        license='Apache License 2.0',
        python_requires='>=3.9',
        packages=find_packages(include=['mmocr_vlp', 'mmocr_vlp.*']),
        package_data={
            'mmocr_vlp': package_files('.mim', 'datasets/synth/assets')
        },
        include_package_data=True,
        install_requires=read_requirements('requirements.txt'),
        extras_require={'tests': read_requirements('requirements/tests.txt')},
        zip_safe=False)
