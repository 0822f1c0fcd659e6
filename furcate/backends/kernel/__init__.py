"""The kernel description shared by the C and Triton renderers, and its lowering."""

from furcate.backends.kernel.desc import Affine, Buffer, Const, Dot, Gather, Index, Kernel, Load, Op, Reduce, Store
from furcate.backends.kernel.lower import NotExpressible, lower_group, lower_op

__all__ = ["Affine", "Buffer", "Const", "Dot", "Gather", "Index", "Kernel", "Load", "Op", "Reduce", "Store",
           "NotExpressible", "lower_group", "lower_op"]
