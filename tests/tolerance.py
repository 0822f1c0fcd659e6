"""The tests' name for ``furcate.tools.tolerance`` (the one tolerance table and
``assert_close``: docs/testing.md)."""

from furcate.tools.tolerance import ACCUM_TOLERANCE, TOLERANCE, assert_close, tolerance

__all__ = ["assert_close", "tolerance", "TOLERANCE", "ACCUM_TOLERANCE"]
