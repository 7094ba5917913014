# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Decide how ``scripts/setup_env.sh`` builds mmcv's compiled ops.

With a CUDA build of torch and a CUDA toolkit (``nvcc`` on ``PATH``,
``CUDA_HOME`` / ``CUDA_PATH``, or ``/usr/local/cuda``), mmcv is built with
``FORCE_CUDA=1`` for the visible GPUs' architectures
(``TORCH_CUDA_ARCH_LIST``, which the user may set); otherwise with CPU ops
only. ``FORCE_CUDA=0`` / ``FORCE_CUDA=1`` set by the user wins. The wheel
cache is keyed by torch version, CUDA version, build kind (and the
architectures of a CUDA build), so a CPU wheel is never reused on a GPU
machine.

Only the standard library and (lazily) torch are needed: the script runs
before mmcv is installed. Usage from the shell::

    eval "$(python scripts/mmcv_build_plan.py --shell)"   # MMCV_* variables
    python scripts/mmcv_build_plan.py --check-installed   # rc 0: installed
                                                          # mmcv matches
"""
import argparse
import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple

# Where torch's own cpp_extension looks for the toolkit when CUDA_HOME,
# CUDA_PATH and nvcc on PATH are all absent.
DEFAULT_CUDA_HOME = '/usr/local/cuda'


class PlanError(ValueError):
    """The requested build cannot work on this machine."""


@dataclass(frozen=True)
class MachineFacts:
    """What the decision depends on (all fakeable in tests).

    Args:
        torch_version (str): ``torch.__version__``, e.g. ``'2.13.0+cu126'``.
        torch_cuda (str, optional): ``torch.version.cuda``; None for a CPU
            build of torch.
        cuda_toolkit (str, optional): Path of the CUDA toolkit (``nvcc`` or
            a ``CUDA_HOME`` directory); None when none was found.
        capabilities (tuple): Compute capability ``(major, minor)`` of each
            visible GPU. Defaults to none.
        torch_arch_list (tuple): Architectures this torch was compiled for,
            e.g. ``('sm_80', 'sm_90')``; used when no GPU is visible.
            Defaults to none.
        env (Mapping[str, str]): The user's ``FORCE_CUDA`` and
            ``TORCH_CUDA_ARCH_LIST``. Defaults to none set.
    """
    torch_version: str
    torch_cuda: Optional[str]
    cuda_toolkit: Optional[str]
    capabilities: Tuple[Tuple[int, int], ...] = ()
    torch_arch_list: Tuple[str, ...] = ()
    env: Mapping[str, str] = None

    def getenv(self, key: str) -> str:
        return ((self.env or {}).get(key) or '').strip()


@dataclass(frozen=True)
class BuildPlan:
    """How to build mmcv.

    Args:
        kind (str): ``'cuda'`` or ``'cpu'``.
        arch_list (str): ``TORCH_CUDA_ARCH_LIST`` of a CUDA build; empty for
            a CPU build.
        cache_key (str): Sub-folder of the wheel cache for this build.
        reason (str): One line saying why.
    """
    kind: str
    arch_list: str
    cache_key: str
    reason: str

    @property
    def force_cuda(self) -> str:
        return '1' if self.kind == 'cuda' else '0'

    def summary(self) -> str:
        arch = f', TORCH_CUDA_ARCH_LIST={self.arch_list}' \
            if self.kind == 'cuda' else ''
        return (f'{self.kind.upper()} ops (FORCE_CUDA={self.force_cuda}'
                f'{arch}): {self.reason}; wheel cache key {self.cache_key}')

    def shell(self) -> str:
        """``NAME=value`` lines for ``eval`` in bash."""
        values = dict(MMCV_BUILD_KIND=self.kind,
                      MMCV_FORCE_CUDA=self.force_cuda,
                      MMCV_ARCH_LIST=self.arch_list,
                      MMCV_CACHE_KEY=self.cache_key,
                      MMCV_PLAN_SUMMARY=self.summary())
        return '\n'.join(f'{k}={shlex.quote(v)}' for k, v in values.items())


def arch_list_from_capabilities(caps: Sequence[Tuple[int, int]]) -> str:
    """``TORCH_CUDA_ARCH_LIST`` for these compute capabilities.

    Distinct architectures in ascending order, ``+PTX`` on the newest (what
    torch's cpp_extension builds for the visible GPUs when the variable is
    unset), e.g. ``[(8, 6), (8, 0), (8, 6)] -> '8.0;8.6+PTX'``.
    """
    archs = sorted({(int(a), int(b)) for a, b in caps})
    if not archs:
        return ''
    names = [f'{a}.{b}' for a, b in archs]
    names[-1] += '+PTX'
    return ';'.join(names)


def _caps_from_torch_archs(
        archs: Sequence[str]) -> Tuple[Tuple[int, int], ...]:
    """``('sm_80', 'sm_90a', 'compute_90') -> ((8, 0), (9, 0))``."""
    out = []
    for a in archs:
        m = re.fullmatch(r'sm_(\d+?)(\d)[a-z]?', a.strip())
        if m:
            out.append((int(m.group(1)), int(m.group(2))))
    return tuple(out)


def cache_key(facts: MachineFacts, kind: str, arch_list: str) -> str:
    """Folder name: torch version, CUDA version, build kind (+ archs)."""
    key = f'torch{facts.torch_version}-cuda{facts.torch_cuda or "none"}-' \
          f'{kind}'
    if kind == 'cuda':
        key += f'-arch{arch_list}'
    return re.sub(r'[^A-Za-z0-9.+_-]', '_', key)


def decide(facts: MachineFacts) -> BuildPlan:
    """The mmcv build for this machine (pure function of ``facts``).

    Raises:
        PlanError: ``FORCE_CUDA`` is not 0/1, ``FORCE_CUDA=1`` with a CPU
            build of torch, or a CUDA build with no GPU visible, no
            ``TORCH_CUDA_ARCH_LIST`` and no architectures known to torch.
    """
    force = facts.getenv('FORCE_CUDA')
    if force not in ('', '0', '1'):
        raise PlanError(f'FORCE_CUDA must be 0 or 1, got {force!r}')
    torch_desc = f'torch {facts.torch_version}'
    if force == '0':
        kind, why = 'cpu', 'FORCE_CUDA=0 set by you'
    elif force == '1':
        if facts.torch_cuda is None:
            raise PlanError(
                f'FORCE_CUDA=1 but {torch_desc} is a CPU build: install a '
                f'CUDA build of torch first (docs/install.md)')
        kind, why = 'cuda', 'FORCE_CUDA=1 set by you'
        if facts.cuda_toolkit is None:
            why += ' (no nvcc / CUDA_HOME found: the build needs one)'
    elif facts.torch_cuda is None:
        kind, why = 'cpu', f'{torch_desc} is a CPU build'
    elif facts.cuda_toolkit is None:
        kind, why = 'cpu', (f'{torch_desc} has CUDA {facts.torch_cuda} but '
                            f'no nvcc / CUDA_HOME was found (install the '
                            f'CUDA toolkit or set CUDA_HOME for CUDA ops)')
    else:
        kind, why = 'cuda', (f'{torch_desc} has CUDA {facts.torch_cuda}, '
                             f'toolkit {facts.cuda_toolkit}')
    arch = ''
    if kind == 'cuda':
        user_arch = facts.getenv('TORCH_CUDA_ARCH_LIST')
        if user_arch:
            arch, src = user_arch, 'TORCH_CUDA_ARCH_LIST set by you'
        elif facts.capabilities:
            arch = arch_list_from_capabilities(facts.capabilities)
            src = f'{len(facts.capabilities)} visible GPU(s)'
        else:
            arch = arch_list_from_capabilities(
                _caps_from_torch_archs(facts.torch_arch_list))
            src = ('no GPU visible: every architecture this torch supports '
                   '(slower build; set TORCH_CUDA_ARCH_LIST to narrow)')
            if not arch:
                raise PlanError(
                    'CUDA build with no GPU visible and no architectures '
                    'known: set TORCH_CUDA_ARCH_LIST (e.g. "8.0;8.6;9.0") '
                    'for the GPUs the wheel will run on, or FORCE_CUDA=0')
        why += f'; architectures from {src}'
    return BuildPlan(kind=kind,
                     arch_list=arch,
                     cache_key=cache_key(facts, kind, arch),
                     reason=why)


def find_cuda_toolkit(env: Mapping[str, str]) -> Optional[str]:
    """``nvcc`` / toolkit directory, looked up the way torch does."""
    for var in ('CUDA_HOME', 'CUDA_PATH'):
        home = (env.get(var) or '').strip()
        if home and os.path.isdir(home):
            return home
    nvcc = shutil.which('nvcc', path=env.get('PATH'))
    if nvcc:
        return nvcc
    default = os.path.join(DEFAULT_CUDA_HOME, 'bin', 'nvcc')
    return default if os.path.exists(default) else None


def probe_machine(env: Optional[Mapping[str, str]] = None) -> MachineFacts:
    """Facts of this machine (imports torch)."""
    import torch
    env = dict(os.environ if env is None else env)
    cuda = torch.version.cuda
    caps, archs = (), ()
    if cuda is not None:
        if torch.cuda.is_available():
            caps = tuple(
                torch.cuda.get_device_capability(i)
                for i in range(torch.cuda.device_count()))
        try:
            archs = tuple(torch._C._cuda_getArchFlags().split())
        except (AttributeError, RuntimeError):
            archs = ()
    return MachineFacts(torch_version=torch.__version__,
                        torch_cuda=cuda,
                        cuda_toolkit=find_cuda_toolkit(env),
                        capabilities=caps,
                        torch_arch_list=archs,
                        env={
                            k: env.get(k, '')
                            for k in ('FORCE_CUDA', 'TORCH_CUDA_ARCH_LIST')
                        })


def installed_mmcv_kind() -> Optional[str]:
    """``'cuda'`` / ``'cpu'`` for the installed mmcv's ops, None if none."""
    try:
        from mmcv.ops import get_compiling_cuda_version
    except Exception:  # no mmcv, or mmcv without compiled ops
        return None
    return 'cpu' if get_compiling_cuda_version() == 'not available' \
        else 'cuda'


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--shell',
                       action='store_true',
                       help='print MMCV_* assignments for bash eval')
    group.add_argument('--check-installed',
                       action='store_true',
                       help='exit 0 when the installed mmcv has the '
                       'planned kind of ops')
    args = parser.parse_args(argv)
    try:
        plan = decide(probe_machine())
    except PlanError as e:
        print(f'[setup] mmcv build: {e}', file=sys.stderr)
        return 2
    if args.shell:
        print(plan.shell())
    elif args.check_installed:
        have = installed_mmcv_kind()
        if have != plan.kind:
            print(f'[setup] installed mmcv has {have or "no"} ops, this '
                  f'machine wants {plan.kind.upper()} ops: reinstalling')
            return 1
        print(f'[setup] mmcv {plan.kind.upper()} ops installed, as planned '
              f'({plan.reason})')
    else:
        print(f'[setup] mmcv build: {plan.summary()}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
