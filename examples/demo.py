"""furcate in one minute: compile a small PyTorch model with torch.compile(backend="furcate")
and show what furcate did -- the IR it ran, its stats, and the error against eager PyTorch.

    .venv/bin/python examples/demo.py
"""

import tempfile
from pathlib import Path

import torch

import furcate


class MLP(torch.nn.Module):
    """LayerNorm -> Linear -> GELU -> Linear -> softmax: elementwise ops, reductions and GEMMs."""

    def __init__(self, d_in=64, d_hidden=128, d_out=10):
        super().__init__()
        self.norm = torch.nn.LayerNorm(d_in)
        self.fc1 = torch.nn.Linear(d_in, d_hidden)
        self.fc2 = torch.nn.Linear(d_hidden, d_out)

    def forward(self, x):
        h = torch.nn.functional.gelu(self.fc1(self.norm(x)))
        return torch.softmax(self.fc2(h), dim=-1)


def main():
    torch.manual_seed(0)
    model = MLP().eval()
    x = torch.randn(8, 64)

    with tempfile.TemporaryDirectory(prefix="furcate-demo-") as dump_dir:
        compiled = torch.compile(model, backend="furcate", options={"dump_dir": dump_dir})
        with torch.no_grad():
            expected = model(x)
            actual = compiled(x)
        # the IR furcate handed to its backend: the last stage dumped for the (first) graph
        graphs = sorted(p for p in Path(dump_dir).iterdir() if p.is_dir())
        stages = sorted(graphs[0].glob("*.mlir")) if graphs else []
        if stages:
            names = ", ".join(p.stem for p in stages)
            print(f"== furcate IR after {stages[-1].stem} (stages dumped: {names}) ==")
            print(stages[-1].read_text())

    print("== furcate.stats() ==")
    for key, value in furcate.stats().items():
        print(f"  {key}: {value}")

    err = (actual - expected).abs().max().item()
    print(f"\noutput {tuple(actual.shape)} {actual.dtype}; max |furcate - eager| = {err:.3g}")
    if not err < 1e-4:
        raise SystemExit(f"demo FAILED: furcate's result differs from eager PyTorch by {err}")
    print("demo OK")


if __name__ == "__main__":
    main()
