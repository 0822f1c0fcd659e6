"""``assert_close``: every numeric test's comparison with the one tolerance table.

The table is ``furcate/tools/tolerance.py`` (DESIGN.md, Numerics), the same one
``furcate bisect`` uses. ``assert_close(actual, expected)`` compares with the
tolerance of the expected array's dtype; NaNs must match positions, infinities
must match exactly, and where both are zero their signs must match (``signed_zeros=False``
lifts that, for comparisons with a reference that does not define the sign, such as
torch eager's max / min on a tie of zeros: docs/ir.md, Numerics).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

from furcate.tools.tolerance import ACCUM_TOLERANCE, TOLERANCE, tolerance

__all__ = ["assert_close", "tolerance", "TOLERANCE", "ACCUM_TOLERANCE"]


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
