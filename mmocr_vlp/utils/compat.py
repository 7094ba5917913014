# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Compatibility with the pinned stack.

mmocr 1.0.1 imports ``torchvision.transforms`` at module level (only its
``TorchVisionWrapper`` transform uses it), so ``import mmocr`` fails without
torchvision - and torchvision's PyPI build does not import beside the CPU
torch 2.13 wheel this project pins. When torchvision cannot be imported,
:func:`install_torchvision_placeholder` registers a placeholder module
whose every attribute access raises a ``ModuleNotFoundError`` that says
why; a
working torchvision, if installed, is always used as is.
"""
import sys
import types

_MSG = ('torchvision is not available ({reason}); mmocr_vlp does not need it. '
        'Only mmocr\'s TorchVisionWrapper transform uses it: install a '
        'torchvision build that matches your torch to use that transform.')


class _Placeholder(types.ModuleType):
    """A module whose attributes raise a ModuleNotFoundError saying why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name)
        self.__dict__['_reason'] = reason
        self.__dict__['__mmocr_vlp_placeholder__'] = True

    def __getattr__(self, item: str):
        if item.startswith('__') and item.endswith('__') and \
                item != '__version__':
            raise AttributeError(item)
        # ModuleNotFoundError: what code probing for torchvision catches
        # (e.g. mmengine's collect_env reads torchvision.__version__).
        raise ModuleNotFoundError(_MSG.format(reason=self._reason))


def install_torchvision_placeholder() -> bool:
    """Make ``import torchvision.transforms`` safe; True if a placeholder
    was installed."""
    if 'torchvision' in sys.modules and not getattr(
            sys.modules['torchvision'], '__mmocr_vlp_placeholder__', False):
        return False
    try:
        import torchvision  # noqa: F401
        import torchvision.transforms  # noqa: F401
        return False
    except Exception as e:  # noqa: BLE001  (missing, or a broken build)
        reason = f'{type(e).__name__}: {e}'.splitlines()[0][:200]
    for name in [m for m in sys.modules
                 if m == 'torchvision' or m.startswith('torchvision.')]:
        del sys.modules[name]
    root = _Placeholder('torchvision', reason)
    transforms = _Placeholder('torchvision.transforms', reason)
    root.__dict__['transforms'] = transforms
    sys.modules['torchvision'] = root
    sys.modules['torchvision.transforms'] = transforms
    return True


install_torchvision_placeholder()


def register_config_package() -> None:
    """Let mmengine resolve ``_base_ = ['mmocr_vlp::<config>']``.

    mmengine only resolves ``pkg::`` base configs of the packages listed in
    ``mmengine.config.utils.MODULE2PACKAGE``. The entry is added when
    ``mmocr_vlp`` is imported, which ``tools/train.py`` and ``tools/test.py``
    (what ``mim train/test mmocr_vlp`` run) do before reading a config.
    """
    from mmengine.config import utils as cfg_utils
    cfg_utils.MODULE2PACKAGE.setdefault('mmocr_vlp', 'mmocr_vlp')


register_config_package()
