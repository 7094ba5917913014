# Copyright (c) mmocr_vlp contributors. All rights reserved.
from . import hooks  # noqa: F401
from . import optim  # noqa: F401
