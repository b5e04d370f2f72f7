"""How well a GAN is doing, in numbers: each module computes one kind of measurement and returns numbers or a report.

- sampling: private copies of the networks and fixed-noise samples, safe while another thread trains
- modes: mode coverage on 2D mixtures (VEEGAN, PacGAN)
- densities: 1D densities, JS divergence on 1D and 2D histograms, the optimal discriminator (Goodfellow et al. 2014)
- discriminator: D's probability of 'real', its push on G's samples, its accuracy and calibration
- plane: the 2D field the live view and notebook 04 draw (D's heatmap, samples, arrows)
- digits: what an MNIST classifier says of generated digits, and classifier FID
- fidelity: precision and recall (k-NN supports), coverage, nearest neighbours, slerp and truncated z
- classifier: that classifier (`python -m ganlib.evaluation.classifier` trains it)
- cas: train on one labelled set, test on another (Classification Accuracy Score), balanced labelled subsets
"""

from ganlib.evaluation.densities import (
    Curves1D,
    density_curves_1d,
    histogram_js,
    histogram_js_2d,
    js_divergence,
    kde_density,
    optimal_discriminator,
    scott_bandwidth,
)
from ganlib.evaluation.digits import (
    CONFIDENT,
    DigitReport,
    classifier_fid,
    digit_metrics,
    frechet_distance,
    gaussian_statistics,
    inception_score,
)
from ganlib.evaluation.discriminator import (
    DiscriminatorReport,
    calibration,
    discriminator_probability,
    discriminator_report,
    generator_gradient,
    track_discriminator,
)
from ganlib.evaluation.fidelity import (
    PrecisionRecall,
    coverage,
    inside_balls,
    knn_radii,
    nearest_neighbours,
    precision_recall,
    slerp,
    truncated_normal,
)
from ganlib.evaluation.modes import (
    HIGH_QUALITY_STDS,
    N_MODE_SAMPLES,
    ModeCoverage,
    generator_mode_coverage,
    mode_coverage,
    nearest_modes,
)
from ganlib.evaluation.plane import Field2D, discriminator_grid, field_2d, plane_limits
from ganlib.evaluation.sampling import fixed_samples, snapshot

__all__ = [
    "CONFIDENT",
    "HIGH_QUALITY_STDS",
    "N_MODE_SAMPLES",
    "Curves1D",
    "DigitReport",
    "DiscriminatorReport",
    "Field2D",
    "ModeCoverage",
    "PrecisionRecall",
    "calibration",
    "classifier_fid",
    "density_curves_1d",
    "digit_metrics",
    "discriminator_grid",
    "discriminator_probability",
    "discriminator_report",
    "field_2d",
    "fixed_samples",
    "frechet_distance",
    "gaussian_statistics",
    "generator_gradient",
    "generator_mode_coverage",
    "histogram_js",
    "histogram_js_2d",
    "inception_score",
    "coverage",
    "inside_balls",
    "js_divergence",
    "kde_density",
    "knn_radii",
    "mode_coverage",
    "nearest_modes",
    "nearest_neighbours",
    "optimal_discriminator",
    "plane_limits",
    "precision_recall",
    "scott_bandwidth",
    "slerp",
    "snapshot",
    "track_discriminator",
    "truncated_normal",
]
