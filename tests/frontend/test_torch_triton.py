"""torch.compile(backend="furcate", options={"target": "triton"}) under TRITON_INTERPRET=1:
small models against eager, torch tensors handed to Triton steps without NumPy round-trips,
and the routing of tensors between devices (the CUDA paths with a faked device type)."""

from __future__ import annotations

import os

os.environ["TRITON_INTERPRET"] = "1"  # before triton is imported (tests/conftest.py sets it too)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("triton")
nn = torch.nn

import furcate  # noqa: E402
from furcate.backends.triton import runtime  # noqa: E402
from furcate.frontend import torch_backend as tb  # noqa: E402
from furcate.runtime.executable import Executable, GuardError, Step  # noqa: E402
from furcate.dtypes import TensorSpec  # noqa: E402
from tests.frontend.torch_check import EmbeddingSum, check_training, fresh_dynamo  # noqa: E402, F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

TRITON = {"target": "triton"}


@pytest.fixture
def conversions(monkeypatch):
    """Counts every torch<->NumPy conversion of the Triton runtime and the torch frontend."""
    calls = []

    def counting(mod, name):
        fn = getattr(mod, name)

        def wrapped(*a, **kw):
            calls.append(name)
            return fn(*a, **kw)
        monkeypatch.setattr(mod, name, wrapped)

    counting(runtime, "np_to_torch")
    counting(runtime, "to_numpy")
    counting(tb, "to_numpy")
    counting(tb, "_to_torch")
    return calls


def compiled_inference(model, *inputs):
    model.eval()
    with torch.no_grad():
        expected = model(*inputs)
        fn = torch.compile(model, backend="furcate", options=TRITON)
        fn(*inputs)  # compile (constants are moved to the device once, here)
        return fn, expected


class Block(nn.Module):
    """Pre-norm residual MLP block with a softmax gate: gemm, reduction and pointwise kernels."""

    def __init__(self, d=16, h=32):
        super().__init__()
        self.ln = nn.LayerNorm(d)
        self.fc1, self.fc2 = nn.Linear(d, h), nn.Linear(h, d)

    def forward(self, x):
        y = self.fc2(torch.nn.functional.gelu(self.fc1(self.ln(x))))
        return x + y * torch.softmax(y, dim=-1)


def test_block_runs_on_tensors_without_numpy_round_trips(conversions):
    x = torch.randn(6, 16)
    fn, expected = compiled_inference(Block(), x)
    conversions.clear()
    with torch.no_grad():
        got = fn(x)
    assert conversions == [], conversions
    assert isinstance(got, torch.Tensor) and got.device.type == "cpu"
    assert_close(got, expected, accumulated=True)
    st = furcate.stats()
    assert st["ops_eager"] == {} and set(st["kernels"]) == {"triton"}, st


def test_numpy_steps_convert_only_around_themselves(conversions):
    """An op Triton cannot run (embedding's gather) is a NumPy step: views of its inputs in,
    its result wrapped back; the Triton steps around it still take tensors."""

    class M(EmbeddingSum):
        def forward(self, idx):
            return torch.softmax(self.out(torch.tanh(self.emb(idx)).sum(1)), -1)

    idx = torch.randint(0, 30, (4, 5))
    fn, expected = compiled_inference(M(), idx)
    conversions.clear()
    with torch.no_grad():
        got = fn(idx)
    assert_close(got, expected, accumulated=True)
    assert "gather" in " ".join(furcate.stats()["backend_fallbacks"])
    # one gather step: its two inputs viewed as NumPy, its one result wrapped as a tensor
    assert sorted(conversions) == ["np_to_torch", "to_numpy", "to_numpy"], conversions


def test_training_step_matches_eager():
    m = nn.Sequential(nn.Linear(12, 20), nn.LayerNorm(20), nn.ReLU(), nn.Linear(20, 4))
    check_training(m, torch.randn(5, 12), target="triton")


def test_bool_and_non_contiguous_inputs_and_aliasing_outputs():
    def f(x, m):
        y = torch.where(m, x.t() * 2, -x.t())
        return y, y > 0, x.t()

    x = torch.randn(5, 7)
    m = torch.randn(7, 5) > 0
    got = torch.compile(f, backend="furcate", options=TRITON)(x.t().contiguous().t(), m)
    exp = f(x.t().contiguous().t(), m)
    for g, e in zip(got, exp):
        assert_close(g, e)
        assert g.stride() == e.stride()


# --------------------------------------------------------------------------
# routing and guards: the CUDA paths, with device types faked


@pytest.mark.parametrize("tensor_dev, exe_dev, expected", [
    ("cpu", "cpu", (None, False)),     # interpreter: the tensor itself
    ("cuda", "cuda", (None, False)),   # Triton on a GPU: the tensor itself
    ("cpu", "cuda", ("cuda", False)),  # CPU tensor to a GPU executable: one upload
    ("cuda", "cpu", ("cpu", False)),
    ("cpu", None, (None, True)),       # numpy/c/xla: a NumPy view, no copy
    ("cuda", None, ("cpu", True)),     # CUDA tensor to a host backend: explicit download
])
def test_route(tensor_dev, exe_dev, expected):
    assert tb.route(tensor_dev, exe_dev) == expected


def test_cuda_inputs_to_a_host_backend_are_copied_explicitly_and_logged(monkeypatch, furcate_log):
    """With CUDA inputs (faked) and a host target, each input is copied to the host once per call
    by ``_transfer`` and the copy is logged once on the "placement" topic."""
    fake_cuda: set[int] = set()
    moves = []
    monkeypatch.setattr(tb, "_device_type", lambda t: "cuda" if id(t) in fake_cuda else t.device.type)

    def transfer(t, device):
        moves.append(str(device))
        return t.clone()
    monkeypatch.setattr(tb, "_transfer", transfer)
    placement_log = furcate_log("placement")
    x, w = torch.randn(4, 6), torch.randn(6, 3)
    fake_cuda.update({id(x), id(w)})
    f = torch.compile(lambda x, w: torch.relu(x @ w), backend="furcate", options={"target": "numpy"})
    got = f(x, w)
    f(x, w)
    assert_close(got, torch.relu(x @ w), accumulated=True)
    assert moves == ["cpu"] * 4
    copies = [m for m in placement_log if "copied" in m]
    assert len(copies) == 2 and "cuda -> cpu" in copies[0] and "NumPy arrays" in copies[0], copies


def test_results_go_to_the_device_eager_returns_them_on(monkeypatch):
    """A result the executable leaves on the host is moved to the output's device from FX's
    meta value (faked: the graph's outputs are said to live on another device)."""
    from furcate.frontend.torch_fx import trace_aten

    gm = trace_aten(lambda x: x * 2 + 1, [torch.randn(3)])
    runner = tb.FurcateGraph(gm, "numpy", {}, "g").cache[tb._meta_signature(gm)]
    _, k, shape, stride, _dev = runner.conv.outputs[0]
    runner.conv.outputs[0] = ("out", k, shape, stride, torch.device("meta"))  # meta: left where it is
    x = torch.randn(3)
    assert_close(runner((x,)), x * 2 + 1)
    moved = []
    monkeypatch.setattr(tb, "_transfer", lambda t, d: moved.append(str(d)) or t)
    runner.conv.outputs[0] = ("out", k, shape, stride, torch.device("cuda", 0))
    assert_close(runner((x,)), x * 2 + 1)
    assert moved == ["cuda:0"]


def test_guards_name_the_argument_for_tensors():
    spec = TensorSpec((2, 3), "f32")
    exe = Executable([spec], [spec], [Step(lambda a: [a], [0], [1])], [1], name="g",
                     input_names=["x"], torch_device="cuda")
    with pytest.raises(GuardError, match=r"argument 0 \(x\) is on device cpu, expected a tensor on cuda"):
        exe(torch.zeros(2, 3))
    exe.torch_device = "cpu"
    with pytest.raises(GuardError, match=r"argument 0 \(x\) has dtype torch.float64, expected torch.float32"):
        exe(torch.zeros(2, 3, dtype=torch.float64))
    with pytest.raises(GuardError, match=r"argument 0 \(x\) has shape \[3, 2\], expected \[2, 3\]"):
        exe(torch.zeros(3, 2))
    exe.torch_device = None
    with pytest.raises(GuardError, match=r"argument 0 \(x\) is a Tensor of dtype torch.float32, expected a NumPy array f32\[2,3\] \(the numpy"):
        exe(torch.zeros(2, 3))
    exe.torch_device = "cpu"
    (out,) = exe(torch.ones(2, 3))
    assert isinstance(out, torch.Tensor)


def test_triton_executable_takes_numpy_too():
    """furcate.jit and the CLI call the same executable with NumPy arrays and get NumPy back."""
    from furcate.compiler import compile_program
    from furcate.ir.builder import GraphBuilder

    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 5), "f32"))
    p = b.finish([b.op("tanh", b.op("add", x, x))])
    exe = compile_program(p, "triton")
    assert exe.torch_device == "cpu"
    a = np.linspace(-2, 2, 20, dtype=np.float32).reshape(4, 5)
    (got,) = exe(a)
    assert isinstance(got, np.ndarray)
    assert_close(got, np.tanh(a + a))
    (got_t,) = exe(torch.from_numpy(a))
    assert isinstance(got_t, torch.Tensor)
    assert_close(got_t, np.tanh(a + a))
