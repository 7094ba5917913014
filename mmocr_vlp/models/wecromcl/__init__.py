# Copyright (c) mmocr_vlp contributors. All rights reserved.
