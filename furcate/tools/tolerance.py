"""The one tolerance table per dtype (docs/numpy.md, Semantics), and ``assert_close``.

How close a result must be to the NumPy reference: used by ``furcate bisect``
(``furcate.tools.bisect.compare``), ``furcate fuzz`` and every numeric test.
``assert_close(actual, expected)`` compares with the tolerance of the expected
array's dtype: integers and booleans must match exactly; NaNs must match in
position, infinities exactly, and where both are zero their signs must match
(``signed_zeros=False`` lifts that, for comparisons with a reference that does not
define the sign, such as torch eager's max / min on a tie of zeros: docs/torch.md).
The compiler itself never compares numbers.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

# dtype name -> (rtol, atol)
TOLERANCE = {
    "float64": (1e-10, 1e-12),
    "float32": (1e-5, 1e-6),
    "float16": (2e-3, 1e-3),
    "bfloat16": (1.6e-2, 1e-2),
}

# ops that sum many terms: their results are compared with ACCUM_TOLERANCE
ACCUMULATING = frozenset({"furcate.reduce", "furcate.dot_general", "furcate.cumulative", "furcate.convolution",
                          "furcate.reduce_window", "furcate.scatter_add"})

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


def _as_numpy(x) -> np.ndarray:
    if hasattr(x, "detach"):  # torch
        import torch

        t = x.detach().cpu()
        if t.dtype == torch.bfloat16:
            return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return t.numpy()
    return np.asarray(x)


def assert_close(actual, expected, *, accumulated: bool = False, rtol=None, atol=None, msg: str = "",
                 signed_zeros: bool = True) -> None:
    a, e = _as_numpy(actual), _as_numpy(expected)
    assert a.shape == e.shape, f"{msg} shape {a.shape} != expected {e.shape}"
    assert a.dtype == e.dtype, f"{msg} dtype {a.dtype} != expected {e.dtype}"
    if e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e, err_msg=msg)
        return
    r, t = tolerance(e.dtype, accumulated)
    rtol = r if rtol is None else rtol
    atol = t if atol is None else atol
    np.testing.assert_allclose(
        a.astype(np.float64), e.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True, err_msg=msg
    )
    if signed_zeros:
        zeros = (a == 0) & (e == 0)
        wrong = zeros & (np.signbit(a.astype(np.float64)) != np.signbit(e.astype(np.float64)))
        assert not wrong.any(), (
            f"{msg} {int(wrong.sum())} zero(s) of the wrong sign, first at index "
            f"{tuple(int(i) for i in np.argwhere(wrong)[0])}: {a[wrong][0]!r} against expected {e[wrong][0]!r}"
        )
