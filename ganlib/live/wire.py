"""A `LiveFrame` packed for the browser: numbers as one binary buffer plus a small JSON index, never an image.

The buffer is the frame's arrays back to back, each little-endian float32 ('f4') or, for MNIST pixels, uint8
('u1'), each starting on a 4-byte boundary so the browser can view it in place. The index says where:

    meta = {"kind": "plane" | "line" | "images" | "none", "step": 120, "layers": [...shown...],
            "arrays": {"fake": {"offset": 0, "shape": [400, 2], "dtype": "f4"}, ...}, ...numbers...}

kind "plane" (2D data) sends heatmap (r, r), real, fake (n, 2), arrows_at, push (m, 2), manifold (rows, cols, 2),
each only when its layer is shown; "line" (1D) sends x, p_data, p_g, d, d_optimal; "images" sends images
(n, 28, 28) as 0..255; "none" sends no view, and meta["problem"] says why (G's or D's weights are not finite).
Every kind sends the whole run's curves: curve_step, curve_loss_d, curve_loss_g, curve_d_real and curve_d_fake,
and where measured curve_js_step and curve_js (JS divergence, nats); in meta the config changes (step, text)
for the curves' markers.

What is packed is checked here, once per frame, so the browser never draws garbage silently: every array must
be numeric and, but for the curves (a loss may be NaN in a diverging run, and the browser leaves a gap), finite.
A view array holding NaN or inf is not sent; meta["problem"] names it, and the browser says so in words.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import torch

from ganlib.checks import require
from ganlib.evaluation.densities import Curves1D
from ganlib.evaluation.plane import Field2D
from ganlib.live.frame import LAYERS, LiveFrame

CHANGES_SENT = 50  # the latest config changes marked on the curves
MAX_BUFFER = 64 * 2**20  # bytes: a frame is a few hundred kB; more is a bug, not a picture
DTYPES = {"f4": np.dtype("<f4"), "u1": np.dtype("u1")}
G_ARRAYS = {"fake", "arrows_at", "manifold", "p_g", "images"}  # the view's arrays that G makes (the others D)


def pack_frame(frame: LiveFrame, layers: Collection[str] = LAYERS) -> tuple[dict[str, Any], bytes]:
    """(meta, buffer) of `frame`; the 2D layers not in `layers` are left out, so hidden layers cost nothing."""
    require(isinstance(frame, LiveFrame), "frame", type(frame).__name__, "a ganlib.live.LiveFrame")
    require(
        not isinstance(layers, str) and all(name in LAYERS for name in layers), "layers", layers, f"names from {LAYERS}"
    )
    meta: dict[str, Any] = {"step": frame.step, "layers": [name for name in LAYERS if name in layers]}
    arrays = _view_arrays(frame, layers, meta)
    broken = [name for name, values in arrays.items() if not bool(np.isfinite(_numpy(values)).all())]
    if broken:  # e.g. G's samples overflowed: say so, rather than draw a black grid or nothing
        what = "G's output" if G_ARRAYS & set(broken) else "D's output"
        meta.update(kind="none", problem=f"{what} holds NaN or inf ({', '.join(broken)}): there is nothing to draw; "
                    "lower the learning rates and press reset")  # fmt: skip
        arrays = {}
    elif frame.problem is not None:
        meta.update(kind="none", problem=frame.problem)
    arrays.update({f"curve_{name}": values for name, values in frame.curves.items()})
    meta["changes"] = [
        {"step": c["step"], "text": f"{c['field']} {c['old']} \u2192 {c['new']}"}
        for c in frame.history.changes[-CHANGES_SENT:]
    ]
    meta["arrays"], buffer = _pack(arrays)
    require(len(buffer) <= MAX_BUFFER, "frame", f"{len(buffer)} bytes packed", f"at most {MAX_BUFFER} bytes")
    return meta, buffer


def _view_arrays(frame: LiveFrame, layers: Collection[str], meta: dict[str, Any]) -> dict[str, Any]:
    """The view's arrays to send, and its numbers written into `meta`."""
    view, arrays = frame.view, {}
    if isinstance(view, Field2D):
        meta.update(kind="plane", limits=list(view.limits), modes_covered=view.coverage.modes_covered,
                    n_modes=view.coverage.n_modes, coverage_step=view.coverage_step, js=view.js)  # fmt: skip
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
    elif isinstance(view, torch.Tensor):
        require(view.ndim == 4 and view.shape[1] == 1, "frame.view", tuple(view.shape), "images (n, 1, height, width)")
        meta.update(kind="images")
        arrays["images"] = view[:, 0]  # tanh output in [-1, 1]: made bytes in _pack, once checked
    else:
        accepted = "a Field2D, Curves1D or image tensor, or None with a problem"
        require(view is None and bool(frame.problem), "frame.view", type(view).__name__, accepted)
        meta.update(kind="none")
    return arrays


def unpack(meta: dict[str, Any], buffer: bytes) -> dict[str, np.ndarray]:
    """The arrays of a packed frame, as the browser reads them (for tests and tools); checks the index first."""
    require(isinstance(meta, dict) and isinstance(meta.get("arrays"), dict), "meta", meta, "a dict with 'arrays'")
    arrays = {}
    for name, entry in meta["arrays"].items():
        ok = isinstance(entry, dict) and entry.get("dtype") in DTYPES and isinstance(entry.get("offset"), int)
        ok = ok and isinstance(entry.get("shape"), list) and all(isinstance(d, int) and d >= 0 for d in entry["shape"])
        require(ok, f"meta['arrays'][{name!r}]", entry, "{offset: int, shape: [ints >= 0], dtype: 'f4' or 'u1'}")
        dtype, count = DTYPES[entry["dtype"]], int(np.prod(entry["shape"]))
        end = entry["offset"] + count * dtype.itemsize
        require(entry["offset"] >= 0 and end <= len(buffer), f"meta['arrays'][{name!r}]", entry,
                f"an array inside the buffer of {len(buffer)} bytes")  # fmt: skip
        arrays[name] = np.frombuffer(buffer, dtype, count, entry["offset"]).reshape(entry["shape"])
    return arrays


def _numpy(values: np.ndarray | torch.Tensor) -> np.ndarray:
    return values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)


def _pack(arrays: dict[str, np.ndarray | torch.Tensor]) -> tuple[dict[str, dict[str, Any]], bytes]:
    index, chunks, offset = {}, [], 0
    for name, values in arrays.items():
        values = _numpy(values)
        require(values.dtype.kind in "fiub", name, values.dtype, "an array of numbers")
        if name == "images":  # in [-1, 1], as G's tanh gives them: 0..255
            values = np.round((np.clip(values, -1, 1) + 1) * 127.5).astype(np.uint8)
        dtype = "u1" if values.dtype == DTYPES["u1"] else "f4"
        data = np.ascontiguousarray(values, dtype=DTYPES[dtype]).tobytes()
        index[name] = {"offset": offset, "shape": list(values.shape), "dtype": dtype}
        padding = -len(data) % 4
        chunks += [data, b"\0" * padding]
        offset += len(data) + padding
    return index, b"".join(chunks)
