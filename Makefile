# mmocr_vlp: `make demo` and `make test` set everything up on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
# 2 cores here; tests pin torch to them.
THREADS ?= 2

.PHONY: env demo test test-slow bench clean

env:  ## create .venv and install the pinned stack (mmcv wheel built once, cached)
	@bash scripts/setup_env.sh

demo: env  ## render synthetic data, pre-train oCLIP (CPU config) with mim, show outputs
	@bash scripts/demo.sh

test: env  ## the test suite (what CI runs)
	@OMP_NUM_THREADS=$(THREADS) MKL_NUM_THREADS=$(THREADS) $(PY) -m pytest -q

test-slow: env  ## the long tests as well
	@OMP_NUM_THREADS=$(THREADS) $(PY) -m pytest -q -m "slow or not slow"

bench: env  ## speed / memory benchmarks -> benchmarks/results/
	@for b in benchmarks/bench_*.py; do m=$$(basename $$b .py); echo "== $$m"; $(PY) -m benchmarks.$$m || exit 1; done

clean:  ## remove generated data and work dirs (keeps .venv and the mmcv wheel cache)
	rm -rf data work_dirs outputs
