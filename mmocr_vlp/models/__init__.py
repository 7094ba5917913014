# Copyright (c) mmocr_vlp contributors. All rights reserved.
from . import common  # noqa: F401
from . import oclip  # noqa: F401
from . import wecromcl  # noqa: F401
from . import spotters  # noqa: F401
from . import textdet  # noqa: F401
