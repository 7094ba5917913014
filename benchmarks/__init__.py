# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Speed and memory benchmarks (run from the repository root as
``python -m benchmarks.<name>``; results in ``benchmarks/results/``)."""
