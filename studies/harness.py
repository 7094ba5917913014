# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The one harness of the study and benchmark scripts.

* :func:`run_child` / :func:`emit_result`: run a measurement in a fresh
  Python process (so its peak resident memory, :func:`peak_rss_mb`, is its
  own) and read back its result;
* :func:`machine_info`: what the numbers were measured on;
* :func:`markdown_table`, :func:`write_results`, :func:`load_results`: the
  ``<out>.json`` + ``<out>.md`` pair every script writes (and the stores that
  grow by one row per run);
* :func:`build_model`: a config's model with a checkpoint (or random
  weights);
* :func:`train_unless_done`: train a config once, reuse its checkpoint.

Scripts run from the repository root as modules (``python -m
studies.<name>``, ``python -m benchmarks.<name>``), so they import each
other and this harness as packages.
"""
import json
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import time
from typing import Any, Iterable, List, Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
_RESULT = 'RESULT '
_SECONDS = 'train_seconds.txt'


# ------------------------------------------------------------ subprocesses
def peak_rss_mb() -> float:
    """Peak resident memory of the current process so far, in MB.

    Linux starts a child process's peak at its parent's resident size, so
    the scripts keep their parent process small (no torch import) and
    measure in children (:func:`run_child`).
    """
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit_result(result: dict) -> None:
    """Print ``result`` as the child process's answer (see
    :func:`run_child`)."""
    print(_RESULT + json.dumps(result), flush=True)


def run_child(module: str, args: Sequence[str], what: str = '') -> dict:
    """Run ``python -m <module> <args>`` from the repository root and return
    the dict its :func:`emit_result` printed.

    Args:
        module (str): The script as a module, e.g. ``'benchmarks.bench_oclip'``.
        args (Sequence[str]): Its command-line arguments (they select the
            child mode of the script).
        what (str): A label for the error message. Defaults to ''.

    Returns:
        dict: The child's result.

    Raises:
        RuntimeError: When the child fails or prints no result; the message
            holds the end of its stderr.
    """
    proc = subprocess.run([sys.executable, '-m', module, *map(str, args)],
                          capture_output=True, text=True, cwd=REPO_ROOT)
    lines = [
        line for line in proc.stdout.splitlines() if line.startswith(_RESULT)
    ]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f'{what or module}: child process failed (exit code '
            f'{proc.returncode}):\n{proc.stderr[-3000:]}')
    return json.loads(lines[-1][len(_RESULT):])


def machine_info(**extra: Any) -> dict:
    """Python, CPU and thread settings of this run, plus ``extra``."""
    return dict(
        python=platform.python_version(),
        machine=platform.machine(),
        cpu_count=os.cpu_count(),
        omp_num_threads=os.environ.get('OMP_NUM_THREADS'),
        load_avg_1min=round(os.getloadavg()[0], 2),
        **extra)


# ------------------------------------------------------------ tables
def markdown_table(columns: Sequence[str],
                   rows: Iterable[Sequence[Any]]) -> List[str]:
    """A markdown table as a list of lines.

    Args:
        columns (Sequence[str]): Header cells.
        rows (Iterable[Sequence]): One sequence of cells per row (formatted
            with ``str``).

    Returns:
        list[str]: Header, separator and one line per row.
    """
    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '---|' * len(columns)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return lines


def load_results(out: str, default: Any = None) -> Any:
    """The JSON of an earlier run (``<out>.json``), or ``default``.

    Args:
        out (str): Results path without extension.
        default (Any): Returned when the file does not exist. Defaults to
            None.
    """
    if not osp.isfile(out + '.json'):
        return default
    with open(out + '.json') as f:
        return json.load(f)


def load_for_render(out: str, note: Optional[str], prog: str) -> tuple:
    """``(runs, meta)`` of an earlier run, to rewrite its page (``--render``)
    with a new note; exits with a message naming ``<out>.json`` if absent.

    Args:
        out (str): Results path without extension.
        note (str, optional): Replaces the stored note when given.
        prog (str): The calling script's name, for the message.
    """
    old = load_results(out)
    if old is None:
        sys.exit(f'{prog}: no {out}.json to render')
    meta = old['meta']
    meta['note'] = note or meta.get('note', '')
    return old['runs'], meta


def write_results(out: str, data: Any, lines: Sequence[str]) -> None:
    """Write ``<out>.json`` (``data``) and ``<out>.md`` (``lines``).

    Args:
        out (str): Results path without extension; folders are created.
        data (Any): JSON-serialisable results.
        lines (Sequence[str]): The markdown page, one line per item.
    """
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out + '.json', 'w') as f:
        json.dump(data, f, indent=2)
    with open(out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')


# ------------------------------------------------------------ models
def build_model(cfg, checkpoint: Optional[str] = None, seed: int = 0):
    """Build ``cfg.model`` in mmocr's scope with seeded initial weights,
    load ``checkpoint`` and switch to eval mode.

    Args:
        cfg (mmengine.Config): A config with a ``model``.
        checkpoint (str, optional): A checkpoint path; None or ``'none'``
            keeps the random initial weights. Defaults to None.
        seed (int): Torch seed of the initial weights. Defaults to 0.

    Returns:
        torch.nn.Module: The model, in eval mode.
    """
    import torch
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmocr.registry import MODELS

    import mmocr_vlp  # noqa: F401
    init_default_scope('mmocr')
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if checkpoint not in (None, 'none'):
        load_checkpoint(model, checkpoint, map_location='cpu',
                        logger='silent')
    return model.eval()


# ------------------------------------------------------------ training
def train_unless_done(cfg, checkpoint: str,
                      reuse: bool = False) -> Optional[float]:
    """Train ``cfg`` with an mmengine ``Runner`` unless ``checkpoint`` (the
    run's final checkpoint) already exists.

    The training time is stored next to the checkpoint (``cfg.work_dir /
    train_seconds.txt``), so a study can score runs that other processes
    trained (e.g. variants trained in parallel) and still report their cost.

    Args:
        cfg (mmengine.Config): Full training config (its ``work_dir`` is
            used).
        checkpoint (str): The checkpoint the run ends with.
        reuse (bool): Skip training when ``checkpoint`` exists (a study's
            ``--reuse``; off, so that a changed config is never scored with
            an old checkpoint). Defaults to False.

    Returns:
        float or None: Training seconds (None when reused and unknown).
    """
    from mmengine.runner import Runner
    seconds = osp.join(cfg.work_dir, _SECONDS)
    if reuse and osp.isfile(checkpoint):
        print(f'reusing {checkpoint}', flush=True)
        if osp.isfile(seconds):
            with open(seconds) as f:
                return float(f.read())
        return None
    runner = Runner.from_cfg(cfg)
    t0 = time.time()
    runner.train()
    train_s = time.time() - t0
    with open(seconds, 'w') as f:
        f.write(f'{train_s:.1f}')
    return train_s
