"""Frames computed in a process of their own, so that drawing the game takes as little as possible from training.

Why a process and not a thread: a frame is a few dozen small torch calls (D on a grid, G on fixed noise, the
arrows' gradients, mode coverage), and so is a training step. Two threads of one process take turns at Python's
global lock at every such call, and on a loaded 2-core machine a thread handed the lock often waits for a core
to run on, so both stall: at load 4.5 the ring trained 30 steps/s with a capture thread against 77 bare, and a
frame took 64-84 ms instead of 17-46 on the training thread itself. A process has a lock of its own.

The training thread sends a copy of the networks' weights, taken between two steps, with what the frame must
show (`FrameRequest`); the process computes the view from it (ganlib.live.frame.capture_view, on frozen
copies of the networks) and sends it back, while training goes on. Weights and views travel as NumPy arrays
(pickling a torch tensor costs about 30 times as much); networks and data only when they change. One process
serves every dashboard of a kernel; it ends with `close()` or when the kernel's end of its pipe closes.
"""

from __future__ import annotations

import copy
import dataclasses
import multiprocessing
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from ganlib.config import TrainConfig
from ganlib.data import GaussianMixture
from ganlib.evaluation.plane import Field2D
from ganlib.live.frame import View, capture_view
from ganlib.train import Trainer

START_SECONDS = 60.0  # a process that has not said it is ready by then (imports on a busy machine) is given up


@dataclass
class FrameRequest:
    """What the process needs to compute one frame's view: the weights at `step` and what to show."""

    key: int  # the dashboard's
    number: int  # counts the dashboard's requests
    build: int  # which networks `weights` belong to: a rebuild sends new ones
    step: int
    weights: dict[str, dict[str, np.ndarray]]  # "G", "D": state dicts as arrays
    config: TrainConfig
    layers: tuple[str, ...]
    count_coverage: bool  # measure modes and divergence now, else keep the last ones measured for this key
    limits: tuple[float, float] | None
    networks: tuple[nn.Module, nn.Module] | None = None  # CPU copies of G and D, sent when `build` is new
    data: GaussianMixture | None = None  # sent with new networks and when it changed (None for images: not needed)


class _Frozen(Trainer):
    """A trainer frozen at one step, the frame process's stand-in for the kernel's: it holds what
    ganlib.evaluation reads (networks, data, config, step) and never trains, so it builds no optimizer."""

    def __init__(
        self, G: nn.Module, D: nn.Module, data: GaussianMixture | None, config: TrainConfig, step: int
    ) -> None:
        self.G, self.D, self.data, self.config, self.step = G, D, data, config, step
        self.n_classes, self.device = getattr(G, "n_classes", 0), torch.device("cpu")


def frame_request(
    key: int, number: int, build: int, trainer: Trainer, layers: Collection[str], count_coverage: bool,
    limits: tuple[float, float] | None, send_networks: bool, send_data: bool,
) -> FrameRequest:  # fmt: skip
    """A request for `trainer`'s view now; call it between two steps (the weights are copied here)."""
    weights = {name: _arrays(getattr(trainer, name).state_dict()) for name in ("G", "D")}
    networks = tuple(_cpu_copy(getattr(trainer, name)) for name in ("G", "D")) if send_networks else None
    data = trainer.data.to("cpu") if send_data and isinstance(trainer.data, GaussianMixture) else None
    return FrameRequest(
        key, number, build, trainer.step, weights, trainer.config, tuple(layers), count_coverage, limits, networks, data
    )


class FrameProcess:
    """The kernel's end of the frame process: `submit` a request, `collect` the view when it is ready.

    Thread-safe; up to IN_FLIGHT requests per dashboard at once, so that the process starts on the next frame
    as soon as it has finished one, whenever the kernel answers. Started on first use, in the background: until
    the process says it is ready (a few seconds of imports), `ready` is False and the dashboard draws frames itself.
    """

    IN_FLIGHT = 2

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # a forked copy of a kernel's threads would be unsafe
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), name="ganlib-live-frames", daemon=True)
        self.process.start()
        child.close()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._ready = False
        self._in_flight: dict[int, int] = {}  # requests sent and not answered, per dashboard
        self._results: dict[int, tuple | str] = {}  # the newest reply per dashboard, or the traceback of a failure
        self.failed: str | None = None  # why the process cannot serve frames, once it cannot

    @property
    def ready(self) -> bool:
        with self._lock:
            self._receive()
            return self._ready and self.failed is None

    def submit(self, request: FrameRequest) -> bool:
        """Send `request`; False (nothing sent) while IN_FLIGHT of that dashboard's requests are."""
        message = pickle.dumps(request, protocol=5)
        with self._lock:
            if self._in_flight.get(request.key, 0) >= self.IN_FLIGHT or self.failed is not None:
                return False
            try:
                self._conn.send_bytes(message)
            except (OSError, ValueError) as err:
                self.failed = f"the frame process cannot be reached: {err}"
                return False
            self._in_flight[request.key] = self._in_flight.get(request.key, 0) + 1
            return True

    def collect(self, key: int) -> tuple[int, int, int, View | None, torch.Tensor | None, str | None] | None:
        """(number, build, step, view, manifold, problem) of `key`'s newest answered request, else None.

        Raises RuntimeError with the process's traceback if computing it failed."""
        with self._lock:
            self._receive()
            result = self._results.pop(key, None)
        if isinstance(result, str):
            raise RuntimeError(f"the frame process failed:\n{result}")
        return result

    def busy(self, key: int) -> bool:
        """Whether `key` has as many requests in flight as it may."""
        with self._lock:
            return self._in_flight.get(key, 0) >= self.IN_FLIGHT

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()

    def _receive(self) -> None:
        """Take every message that has arrived (under the lock)."""
        try:
            while self.failed is None and self._conn.poll():
                message = pickle.loads(self._conn.recv_bytes())
                if message == "ready":
                    self._ready = True
                    continue
                key, result = message
                self._in_flight[key] = max(self._in_flight.get(key, 0) - 1, 0)
                if isinstance(self._results.get(key), str):
                    continue  # a failure stays until collected
                self._results[key] = result if isinstance(result, str) else _torch_result(result)
        except (EOFError, OSError) as err:
            self.failed = f"the frame process ended: {err!r}"
        if not self._ready and self.failed is None and time.monotonic() - self._started > START_SECONDS:
            self.failed = f"the frame process did not start within {START_SECONDS:.0f} s"
        if self.failed is not None:
            self._in_flight.clear()


_shared: FrameProcess | None = None
_shared_lock = threading.Lock()


def shared_process() -> FrameProcess | None:
    """The kernel's frame process, started on first call; None if it cannot serve (the caller draws itself)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.failed is not None and not _shared.process.is_alive():
            try:
                _shared = FrameProcess()
            except (OSError, RuntimeError):  # no process to be had here (limits; a script's unguarded main module)
                return None
        return _shared if _shared.failed is None else None


# ----- in the frame process ---------------------------------------------------------------------------------
def _serve(conn: Any) -> None:
    """The frame process: answer requests until the kernel's end of the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a reader interrupting the kernel signals its whole process group
    torch.set_num_threads(1)  # small networks; a second thread would only contend with training for the cores
    networks: dict[int, tuple[int, nn.Module, nn.Module]] = {}
    data: dict[int, GaussianMixture | None] = {}
    last_field: dict[int, Field2D] = {}
    conn.send_bytes(pickle.dumps("ready"))
    while True:
        try:
            request: FrameRequest = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            if request.networks is not None or request.data is not None:  # a rebuild, or new data drawn
                last_field.pop(request.key, None)
            if request.networks is not None:
                networks[request.key] = (request.build, *request.networks)
                data[request.key] = request.data
            elif request.data is not None:
                data[request.key] = request.data
            build, G, D = networks[request.key]
            if build != request.build:
                raise RuntimeError(f"weights of build {request.build} for networks of build {build}")
            for network, weights in ((G, request.weights["G"]), (D, request.weights["D"])):
                _load(network, weights)
            frozen = _Frozen(G, D, data.get(request.key), request.config, request.step)
            kept = None if request.count_coverage else last_field.get(request.key)
            view, manifold, problem = capture_view(frozen, request.layers, kept, request.limits)
            if isinstance(view, Field2D):
                last_field[request.key] = view
            reply: Any = (request.number, request.build, request.step, _numpy(view), _numpy(manifold), problem)
        except Exception:  # noqa: BLE001 -- sent back and raised in the kernel, where the reader sees it
            reply = traceback.format_exc()
        conn.send_bytes(pickle.dumps((request.key, reply), protocol=5))


def _arrays(state: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    return {name: tensor.detach().cpu().numpy().copy() for name, tensor in state.items()}


def _cpu_copy(network: nn.Module) -> nn.Module:
    """A CPU copy of `network` (its weights are sent every frame, the module once per build)."""
    return copy.deepcopy(network).cpu()


def _load(network: nn.Module, weights: dict[str, np.ndarray]) -> None:
    with torch.no_grad():
        for name, target in network.state_dict(keep_vars=True).items():
            target.copy_(torch.from_numpy(weights[name]))


def _numpy(view: Any) -> Any:
    """`view` (a tensor, or a dataclass holding tensors) with its tensors as NumPy arrays, for the pipe."""
    return _map_arrays(view, torch.Tensor, lambda tensor: tensor.numpy())


def _torch_result(result: tuple[int, int, int, Any, np.ndarray | None, str | None]) -> tuple:
    """A reply from the pipe with its arrays as tensors again."""
    number, build, step, view, manifold, problem = result
    return (
        number,
        build,
        step,
        _map_arrays(view, np.ndarray, torch.from_numpy),
        _map_arrays(manifold, np.ndarray, torch.from_numpy),
        problem,
    )


def _map_arrays(value: Any, kind: type, convert: Any) -> Any:
    """`convert` applied to `value` if it is a `kind`, or to each field of a dataclass that is one."""
    if isinstance(value, kind):
        return convert(value)
    if dataclasses.is_dataclass(value):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **{name: convert(v) for name, v in fields.items() if isinstance(v, kind)})
    return value
