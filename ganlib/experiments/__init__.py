"""Experiments that train many runs and tabulate them: `collapse`, mode collapse and its remedies over seeds."""
