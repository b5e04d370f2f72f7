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
    except (RuntimeError, TypeError):
        raise ValueError(f"device={device!r} is not accepted: expected {accepted}") from None
    require(
        device.type == "cpu" or (device.type == "cuda" and torch.cuda.is_available()), "device", str(device), accepted
    )
    return device
