"""The one tolerance table per dtype (docs/numpy.md, Semantics).

How close a result must be to the NumPy reference: used by ``furcate bisect``
(``furcate.tools.bisect.compare``) and by every numeric test
(``tests/tolerance.py``'s ``assert_close``). Integers and booleans must match
exactly (tolerance 0); NaNs must match in position and infinities exactly.
The compiler itself never compares numbers.
"""

from __future__ import annotations

import numpy as np

# dtype name -> (rtol, atol)
TOLERANCE = {
    "float64": (1e-10, 1e-12),
    "float32": (1e-5, 1e-6),
    "float16": (2e-3, 1e-3),
    "bfloat16": (1.6e-2, 1e-2),
}

# looser tolerance for results that went through reductions / GEMMs over many terms
ACCUM_TOLERANCE = {
    "float64": (1e-9, 1e-10),
    "float32": (1e-4, 1e-5),
    "float16": (1e-2, 1e-2),
    "bfloat16": (5e-2, 5e-2),
}


def tolerance(dtype, accumulated: bool = False) -> tuple[float, float]:
    """``(rtol, atol)`` for results of NumPy dtype ``dtype``; (0, 0) for non-float dtypes."""
    table = ACCUM_TOLERANCE if accumulated else TOLERANCE
    return table.get(np.dtype(dtype).name, (0.0, 0.0))
