"""A `LiveFrame` packed for the browser: numbers as one binary buffer plus a small JSON index, never an image.

The buffer is the frame's arrays back to back, each little-endian float32 ('f4') or, for MNIST pixels, uint8
('u1'), each starting on a 4-byte boundary so the browser can view it in place. The index says where:

    meta = {"kind": "plane" | "line" | "images", "step": 120, "layers": [...shown...],
            "arrays": {"fake": {"offset": 0, "shape": [400, 2], "dtype": "f4"}, ...}, ...numbers...}

kind "plane" (2D data) sends heatmap (r, r), real, fake (n, 2), arrows_at, push (m, 2), manifold (rows, cols, 2),
each only when its layer is shown; "line" (1D) sends x, p_data, p_g, d, d_optimal; "images" sends images
(n, 28, 28) as 0..255. Every kind sends the whole run's curves: curve_step, curve_loss_d, curve_loss_g,
curve_d_real and curve_d_fake, and in meta the config changes (step, text) for the curves' markers.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import torch

from ganlib.evaluation.densities import Curves1D
from ganlib.evaluation.plane import Field2D
from ganlib.live.frame import LAYERS, LiveFrame

CHANGES_SENT = 50  # the latest config changes marked on the curves


def pack_frame(frame: LiveFrame, layers: Collection[str] = LAYERS) -> tuple[dict[str, Any], bytes]:
    """(meta, buffer) of `frame`; the 2D layers not in `layers` are left out, so hidden layers cost nothing."""
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"step": frame.step, "layers": [name for name in LAYERS if name in layers]}
    view = frame.view
    if isinstance(view, Field2D):
        meta.update(kind="plane", limits=list(view.limits), modes_covered=view.coverage.modes_covered,
                    n_modes=view.coverage.n_modes, coverage_step=view.coverage_step)  # fmt: skip
        shown = {
            "heatmap": {"heatmap": view.probability},
            "real": {"real": view.real},
            "fake": {"fake": view.fake},
            "arrows": {"arrows_at": view.arrows_at, "push": view.push},
            "manifold": {} if frame.manifold is None else {"manifold": frame.manifold},
        }
        for layer, parts in shown.items():
            if layer in layers:
                arrays.update(parts)
    elif isinstance(view, Curves1D):
        meta.update(kind="line", js=view.js)
        arrays.update(x=view.x, p_data=view.p_data, p_g=view.p_g, d=view.d, d_optimal=view.d_optimal)
    else:
        meta.update(kind="images")
        pixels = (view[:, 0].float().clamp(-1, 1) + 1) * 127.5  # tanh output in [-1, 1] to 0..255
        arrays["images"] = pixels.round().to(torch.uint8)
    arrays.update({f"curve_{name}": values for name, values in frame.curves.items()})
    meta["changes"] = [
        {"step": c["step"], "text": f"{c['field']} {c['old']} \u2192 {c['new']}"}
        for c in frame.history.changes[-CHANGES_SENT:]
    ]
    meta["arrays"], buffer = _pack(arrays)
    return meta, buffer


def unpack(meta: dict[str, Any], buffer: bytes) -> dict[str, np.ndarray]:
    """The arrays of a packed frame, as the browser reads them (for tests and tools)."""
    return {
        name: np.frombuffer(buffer, dtype=np.dtype(entry["dtype"]).newbyteorder("<"),
                            count=int(np.prod(entry["shape"])), offset=entry["offset"]).reshape(entry["shape"])
        for name, entry in meta["arrays"].items()
    }  # fmt: skip


def _pack(arrays: dict[str, np.ndarray | torch.Tensor]) -> tuple[dict[str, dict[str, Any]], bytes]:
    index, chunks, offset = {}, [], 0
    for name, values in arrays.items():
        values = values.numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
        dtype = "<u1" if values.dtype == np.uint8 else "<f4"
        data = np.ascontiguousarray(values, dtype=dtype).tobytes()
        index[name] = {"offset": offset, "shape": list(values.shape), "dtype": dtype[1:]}
        padding = -len(data) % 4
        chunks += [data, b"\0" * padding]
        offset += len(data) + padding
    return index, b"".join(chunks)
