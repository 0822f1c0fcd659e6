"""The one tolerance table: ``furcate bisect`` and the test suite's assert_close judge alike."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from furcate.tools import tolerance as tol
from furcate.tools.bisect import compare

from tests import tolerance as suite
from tests.tolerance import assert_close


def test_the_suite_uses_the_package_table():
    assert suite.TOLERANCE is tol.TOLERANCE and suite.ACCUM_TOLERANCE is tol.ACCUM_TOLERANCE
    assert suite.tolerance is tol.tolerance


def _passes_assert_close(actual, expected, accumulated):
    try:
        assert_close(actual, expected, accumulated=accumulated)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("accumulated", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, ml_dtypes.bfloat16])
def test_bisect_and_assert_close_draw_the_same_line(dtype, accumulated):
    rtol, atol = tol.tolerance(dtype, accumulated)
    assert 0 < atol and 0 < rtol < 0.1
    expected = np.array([1.0, -3.0, 0.0], dtype)
    verdicts = set()
    for m in (0.25, 0.5, 0.9, 1.5, 2.0, 4.0):
        off = m * (atol + rtol * np.abs(expected.astype(np.float64)))
        actual = (expected.astype(np.float64) + off).astype(dtype)
        err = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
        within = bool((err <= atol + rtol * np.abs(expected.astype(np.float64))).all())
        assert (compare(actual, expected, accumulated=accumulated) is None) == within
        assert _passes_assert_close(actual, expected, accumulated) == within
        verdicts.add(within)
    assert verdicts == {True, False}  # the line was drawn between the candidates


def test_accumulated_results_get_more_room():
    for name in tol.TOLERANCE:
        (r, a), (ra, aa) = tol.tolerance(name), tol.tolerance(name, accumulated=True)
        assert ra > r and aa > a


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.bool_])
def test_integers_and_booleans_must_match_exactly(dtype):
    assert tol.tolerance(dtype) == (0.0, 0.0) and tol.tolerance(dtype, True) == (0.0, 0.0)
    x = np.array([0, 1, 1], dtype)
    y = np.array([0, 1, 0], dtype)
    assert compare(x, x) is None and compare(y, x) is not None
    assert _passes_assert_close(x, x, False) and not _passes_assert_close(y, x, True)
