"""The ATen converter table, whole: importing this module loads every converter family
(``torch_ops_pointwise``, ``torch_ops_reduce``, ``torch_ops_shape``, ``torch_ops_nn``,
``torch_ops_conv``) into ``torch_registry.CONVERTERS``, and re-exports what the frontend
reads (``lookup``, the conversion context ``Cx``, dtypes). See ``torch_registry``."""

from __future__ import annotations

from furcate.frontend import (  # noqa: F401  (imported to register their converters)
    torch_ops_conv, torch_ops_nn, torch_ops_pointwise, torch_ops_reduce, torch_ops_shape,
)
from furcate.frontend.torch_registry import (  # noqa: F401
    CONVERTERS, CONVERTERS_BY_NAME, SCALAR_TARGETS, TORCH_DTYPES, Converter, Cx, furcate_dtype, is_tensor_val,
    lookup, register, spec_of_val,
)
