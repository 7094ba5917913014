# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The ``mmocr_vlp`` registry scope.

Every module of mmocr_vlp registers in **mmocr's** registries (scope
``mmocr``), so mmocr configs and tools find them. This module only adds an
empty child registry of scope ``mmocr_vlp`` under each mmocr registry: when a
downstream config inherits ``_base_ = ['mmocr_vlp::...']``, mmengine tags the
inherited dicts with ``_scope_='mmocr_vlp'`` and looks modules up here; a
child registry resolves a name through its parent, i.e. through mmocr (and
from there mmengine), so the inherited config builds exactly as ours does.
A child looks names up in its parent's table but does not import the
parent's lazy locations (e.g. ``mmocr.visualization`` for
``TextDetLocalVisualizer``), so each child also lists them.
"""
from mmengine.registry import Registry
from mmocr import registry as _mmocr

__all__ = []

for _name in dir(_mmocr):
    _parent = getattr(_mmocr, _name)
    if _name.isupper() and not _name.startswith('MMENGINE_') and isinstance(
            _parent, Registry):
        globals()[_name] = Registry(
            _parent.name, parent=_parent, scope='mmocr_vlp',
            locations=['mmocr_vlp', *getattr(_parent, '_locations', [])])
        __all__.append(_name)
