"""Where a run computes: the GPU when there is one, else the CPU, and a clear error for a device that is not here."""

from __future__ import annotations

import torch

from ganlib.checks import require


def default_device() -> torch.device:
    """CUDA when present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_device(device: torch.device | str | None) -> torch.device:
    """`device` as a torch.device that exists on this machine; None picks `default_device()`."""
    if device is None:
        return default_device()
    accepted = "None, 'cpu' or, on a machine with a GPU, 'cuda' / 'cuda:N'"
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"device={device!r} is not accepted: expected {accepted}") from None
    exists = (device.type == "cpu" and device.index in (None, 0)) or (
        device.type == "cuda" and torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()
    )
    require(exists, "device", str(device), accepted)
    return device
