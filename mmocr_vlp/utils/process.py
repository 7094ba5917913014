# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Process hygiene for the tools that ``mim`` starts."""
import ctypes
import os
import os.path as osp
import signal
import sys
from typing import List, Optional, Tuple

#: prctl option: signal delivered to this process when its parent dies.
PR_SET_PDEATHSIG = 1


def parent_process() -> Tuple[int, bytes]:
    """This process's parent: its pid and raw ``/proc`` command line.

    Cheap (standard library only); the tools read it before their slow
    imports, while the parent is certainly alive.
    """
    ppid = os.getppid()
    try:
        with open(f'/proc/{ppid}/cmdline', 'rb') as f:
            return ppid, f.read()
    except OSError:
        return ppid, b''


def is_mim_cmdline(argv: List[str]) -> bool:
    """Whether a command line is ``mim ...`` or ``python [-m] mim ...``."""
    head = argv[:3]
    return any(osp.basename(a) == 'mim' for a in head) or (
        '-m' in head and 'mim' in argv[head.index('-m') + 1:][:1])


def die_with_mim_parent(parent: Optional[Tuple[int, bytes]] = None,
                        sig: int = signal.SIGTERM) -> bool:
    """When started by ``mim``, end with it (Linux only).

    ``mim train`` runs ``tools/train.py`` as a child process and waits for
    it; if ``mim`` itself is killed (``kill -9``, a closed terminal), the
    child would go on training as an orphan. This asks the kernel to send
    ``sig`` to this process when its parent dies (``PR_SET_PDEATHSIG``).
    Only when the parent is ``mim``: a training started from a shell
    (``nohup python tools/train.py ... &``) is meant to outlive it.

    Args:
        parent (tuple, optional): :func:`parent_process`, read early (the
            parent may die while the caller imports torch). Defaults to the
            parent now.
        sig (int): The signal. Defaults to SIGTERM.

    Returns:
        bool: Whether the parent-death signal was set.
    """
    if not sys.platform.startswith('linux'):
        return False
    ppid, raw = parent or parent_process()
    argv = [a.decode(errors='replace') for a in raw.split(b'\0') if a]
    if not is_mim_cmdline(argv):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != ppid:  # mim died before prctl took effect
        os.kill(os.getpid(), sig)
    return True
