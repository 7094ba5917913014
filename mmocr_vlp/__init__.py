# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""mmocr_vlp: weakly supervised vision-language pre-training for scene text.

Importing the package registers every module in mmocr's registries (scope
``mmocr``), makes mmocr importable without torchvision (``utils/compat.py``)
and allow-lists the types mmengine writes into checkpoints for
``torch.load(weights_only=True)``.
"""
from .version import __version__
from .utils import compat as _compat  # noqa: F401  (before mmocr)
from .utils import checkpoint as _checkpoint  # noqa: F401  (allow-list)
from .utils import url_checkpoint as _url  # noqa: F401  (clear URL error)
from . import registry  # noqa: F401,E402  (scope for mmocr_vlp:: bases)
from . import datasets  # noqa: F401,E402
from . import models  # noqa: F401,E402
from . import evaluation  # noqa: F401,E402
from . import engine  # noqa: F401,E402
from . import visualization  # noqa: F401,E402

__all__ = ['__version__']
