# Copyright (c) mmocr_vlp contributors. All rights reserved.
__version__ = '0.1.0'
