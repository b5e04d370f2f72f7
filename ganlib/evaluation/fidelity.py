"""Fidelity and coverage as two numbers (precision and recall), nearest neighbours, and the latent-space tools
that notebook 05 judges a generator with: spherical interpolation and truncated sampling of z.

FID folds two failures into one number: samples that look wrong (low fidelity) and parts of the data the
generator never draws (low coverage). Kynkaenniemi et al. 2019 separate them by estimating each
distribution's support as a union of balls, one around every sample, reaching to its k-th nearest
neighbour. Precision is the share of generated samples inside the real support; recall is the share of
real samples inside the generated one. Coverage (Naeem et al. 2020) is recall with the balls drawn around the
real samples, which generated outliers cannot inflate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ganlib.checks import as_int, as_rows, check_finite, check_instance, check_rows, check_tensor, is_number, require
from ganlib.devices import resolve_device

CHUNK = 1000  # query rows per distance block: 1000 x 10,000 float32 distances is 40 MB


def _distance_blocks(query: torch.Tensor, reference: torch.Tensor, chunk: int):
    """Yield (rows, distances) with distances (len(rows), n_reference), one block of `chunk` query rows at a time."""
    chunk = as_int(chunk, "chunk", "an int >= 1", 1)
    reference = reference.double()  # float64: |q|^2 + |r|^2 - 2 q.r cancels badly in float32
    ref_sq = (reference**2).sum(dim=1)
    for start in range(0, len(query), chunk):
        q = query[start : start + chunk].double()
        # |q - r|^2 = |q|^2 + |r|^2 - 2 q.r: one matrix product per block; clamp the rounding below 0
        sq = (q**2).sum(dim=1, keepdim=True) + ref_sq - 2 * q @ reference.T
        yield slice(start, start + len(q)), sq.clamp_min(0).sqrt()


def knn_radii(features: torch.Tensor, k: int = 3, chunk: int = CHUNK) -> torch.Tensor:
    """(n,) distance from each row of `features` to its k-th nearest other row: the radius of its ball."""
    check_rows(features, "features", min_rows=2)
    k = as_int(
        k, "k", f"an int in [1, {len(features) - 1}] (neighbours other than the row itself)", 1, len(features) - 1
    )
    radii = torch.empty(len(features), dtype=torch.float64, device=features.device)
    for rows, distances in _distance_blocks(features, features, chunk):
        radii[rows] = distances.topk(k + 1, dim=1, largest=False).values[:, k]  # index 0 is the row itself
    return radii


def inside_balls(query: torch.Tensor, reference: torch.Tensor, radii: torch.Tensor, chunk: int = CHUNK) -> torch.Tensor:
    """(n_query,) bool: whether each query row lies in some ball (reference row, radius) of a support estimate."""
    check_rows(query, "query")
    check_rows(reference, "reference", query.shape[1], like="query")
    check_tensor(radii, "radii", (len(reference),), min_rows=len(reference))
    check_finite(radii, "radii")
    require(bool((radii >= 0).all()), "radii", "negative radii", "distances >= 0, from knn_radii")
    inside = torch.empty(len(query), dtype=torch.bool, device=query.device)
    for rows, distances in _distance_blocks(query, reference, chunk):
        inside[rows] = (distances <= radii).any(dim=1)
    return inside


@dataclass(frozen=True)
class PrecisionRecall:
    """Kynkaenniemi et al. 2019: fidelity (precision) and coverage (recall), each a share in [0, 1]."""

    precision: float  # share of generated samples inside the real support estimate
    recall: float  # share of real samples inside the generated support estimate
    k: int  # the neighbour whose distance sets each ball's radius


def _real_radii(real: torch.Tensor, k: int, chunk: int, real_radii: torch.Tensor | None) -> torch.Tensor:
    """The radii of the real balls: `real_radii` if the caller computed them once for many scores, else computed."""
    if real_radii is None:
        return knn_radii(real, k, chunk)
    as_int(k, "k", f"an int in [1, {len(real) - 1}]", 1, len(real) - 1)  # k is reported with the scores: check it
    check_tensor(real_radii, "real_radii", (len(real),), min_rows=len(real))
    check_finite(real_radii, "real_radii")
    return real_radii


def precision_recall(
    real: torch.Tensor, fake: torch.Tensor, k: int = 3, chunk: int = CHUNK, real_radii: torch.Tensor | None = None
) -> PrecisionRecall:
    """Improved precision and recall of `fake` against `real` features, (n, d) each, with k-NN balls.

    Distances are computed in blocks of `chunk` rows, so 10,000 x 10,000 never holds the full matrix.
    Even two samples of the same distribution score below 1: a finite sample's balls miss the
    sparse edges of the support, where a fresh sample lands farther out than its neighbours' k-th
    neighbour. Larger k grows the balls and moves both numbers towards 1; compare at the same k and n.
    `real_radii` = knn_radii(real, k), computed once, saves recomputing them when many samples face one real set.
    """
    check_rows(real, "real", min_rows=2)
    check_rows(fake, "fake", real.shape[1], min_rows=2, like="real")
    precision = inside_balls(fake, real, _real_radii(real, k, chunk, real_radii), chunk)
    recall = inside_balls(real, fake, knn_radii(fake, k, chunk), chunk)
    return PrecisionRecall(float(precision.double().mean()), float(recall.double().mean()), int(k))


def coverage(
    real: torch.Tensor, fake: torch.Tensor, k: int = 3, chunk: int = CHUNK, real_radii: torch.Tensor | None = None
) -> float:
    """Naeem et al. 2020: the share of real samples whose k-NN ball (among the real samples) holds a generated one.

    Recall draws its balls around generated samples, so a few generated outliers, whose k-th neighbour is far,
    have huge balls that cover real data the generator does not draw. Coverage draws the balls around real
    samples, where an outlier covers nothing. `real_radii` as in precision_recall.
    """
    check_rows(real, "real", min_rows=2)
    check_rows(fake, "fake", real.shape[1], like="real")
    distances, _ = nearest_neighbours(real, fake, chunk)
    return float((distances <= _real_radii(real, k, chunk, real_radii)).double().mean())


def nearest_neighbours(
    query: torch.Tensor, reference: torch.Tensor, chunk: int = CHUNK
) -> tuple[torch.Tensor, torch.Tensor]:
    """Euclidean distance (n_query,) to, and index (n_query,) of, each query row's nearest reference row.

    Images are flattened first, so (n, 1, 28, 28) pixels work as well as (n, d) features.
    """
    query = as_rows(query, "query")
    reference = as_rows(reference, "reference", query.shape[1], like="query")
    distances = torch.empty(len(query), dtype=torch.float64, device=query.device)
    indices = torch.empty(len(query), dtype=torch.long, device=query.device)
    for rows, block in _distance_blocks(query, reference, chunk):
        distances[rows], indices[rows] = block.min(dim=1)
    return distances, indices


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation from z0 (t = 0) to z1 (t = 1): (len(t), d) points along the great circle.

    White 2016 ("Sampling generative networks"): in high dimension almost all of a Gaussian's mass lies
    near the sphere of radius sqrt(d), and a straight line between two samples cuts through the
    unlikely interior (its midpoint has norm about sqrt(d / 2)); between endpoints of equal norm the arc
    keeps that norm all the way.
    """
    for name, z in (("z0", z0), ("z1", z1)):
        check_tensor(z, name, (None,) if name == "z0" else tuple(z0.shape))
        check_finite(z, name)
        require(bool(z.norm() > 0), name, "the zero vector", "a latent vector of norm > 0 (its direction is slerped)")
    check_tensor(t, "t", (None,))
    check_finite(t, "t")
    t = t.to(z0)[:, None]  # (T, 1)
    cosine = torch.dot(z0 / z0.norm(), z1 / z1.norm()).clamp(-1, 1)
    omega = torch.arccos(cosine)
    if omega.abs() < 1e-6:  # parallel within rounding: the arc is the line
        return (1 - t) * z0 + t * z1
    # opposite points are joined by every great circle through them: there is no one arc to follow
    require(bool(cosine > -1 + 1e-6), "z1", "a vector opposite to z0", "a vector not pointing opposite to z0")
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


def truncated_normal(
    n: int,
    dim: int,
    threshold: float,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """(n, dim) standard normal draws with every entry in [-threshold, threshold]: the truncation trick.

    Brock et al. 2019 (BigGAN) redraw the entries of z beyond the threshold; we invert the normal CDF on
    the truncated range instead, which gives the same distribution in one pass, for any threshold > 0.
    Small thresholds keep z near the mode, where G's samples are most typical: precision rises, recall
    falls. `threshold=math.inf` is the untruncated normal.
    """
    n, dim = as_int(n, "n", "an int >= 1", 1), as_int(dim, "dim", "an int >= 1", 1)
    ok = is_number(threshold) and threshold > 0
    require(ok, "threshold", threshold, "a number > 0 (math.inf for no truncation)")
    threshold = float(threshold)
    check_instance(generator, "generator", torch.Generator | type(None), "None or a torch.Generator")
    device = generator.device if generator is not None else resolve_device(device)
    if math.isinf(threshold):
        return torch.randn(n, dim, generator=generator, device=device)
    u = torch.rand(n, dim, generator=generator, device=device, dtype=torch.float64)
    lo = torch.special.ndtr(torch.tensor(-threshold, dtype=torch.float64, device=device))
    z = torch.special.ndtri(lo + u * (1 - 2 * lo))  # the CDF maps [-a, a] to [lo, 1 - lo]
    return z.clamp(-threshold, threshold).float()  # clamp: rounding of ndtri near the ends
