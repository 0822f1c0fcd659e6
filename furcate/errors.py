"""furcate's exception types (a leaf module: every layer may raise these)."""


class FurcateError(Exception):
    """Base class of furcate's errors."""


class UnsupportedError(FurcateError, NotImplementedError):
    """The frontend cannot express an operation in furcate IR (names it and where it came from)."""


class CompileError(FurcateError):
    """A backend failed to compile a program (names the backend and the op)."""
