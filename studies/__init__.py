# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Studies: small experiments that answer one question each with a table
(run from the repository root as ``python -m studies.<name>``)."""
