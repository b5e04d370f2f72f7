"""How a notebook starts the live view: live in JupyterLab, or trained now and shown as a still figure headlessly."""

from __future__ import annotations

import os
from typing import Any

from ganlib.checks import require
from ganlib.config import TrainConfig
from ganlib.live.dashboard import Dashboard


def frontend_present() -> bool:
    """True in a kernel started by a Jupyter server (JupyterLab, Notebook), where widgets are shown live.

    The server names the kernel's session in JPY_SESSION_NAME; papermill, nbval and scripts do not.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel") and bool(os.environ.get("JPY_SESSION_NAME"))


def live(
    dataset: str = "ring",
    config: TrainConfig | None = None,
    steps: int = 2000,
    interactive: bool | None = None,
    play: bool = True,
    **options: Any,
) -> Dashboard:
    """The dashboard for `dataset`: live in JupyterLab, else `steps` steps trained now and shown as a figure.

    `interactive=None` decides by `frontend_present()`. Live, `play=True` starts training at once; the
    reader's controls do the rest. Display the returned dashboard (last line of a cell) to show it.
    `options` go to `Dashboard` (device, steps_per_frame, max_fps, render_budget, history_window).
    """
    interactive = frontend_present() if interactive is None else interactive
    require(isinstance(interactive, bool), "interactive", interactive, "True, False or None (detect)")
    board = Dashboard(dataset, config, interactive=interactive, **options)
    if not interactive:
        board.run(steps)
    elif play:
        board.play()
    return board
