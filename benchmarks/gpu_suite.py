"""GPU benchmark suite: eager PyTorch, torch.compile (inductor) and furcate[triton] on a CUDA GPU.

    PYTHONPATH=. python benchmarks/gpu_suite.py [--quick] [--cases softmax,mlp]

The CPU suite's cases (benchmarks/cpu_suite.py) at GPU sizes plus end-to-end models
(MLP, transformer block). Every implementation's result is checked against eager
(tests/tolerance.py's accumulated tolerance); times are medians from
``triton.testing.do_bench`` (CUDA events). Prints a ratio table (vs eager, vs
inductor). Designed to finish in well under 8 minutes on one H100/H200.

All three columns take the same CUDA tensors: furcate's torch frontend hands them to
the Triton executable as they are (no host copies; docs/torch.md, "Devices").

Without a CUDA GPU the script exits with a message (it does not fall back to the
interpreter: that would measure nothing useful).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def cases(quick: bool):
    """name -> (torch function, list of input shapes, needs grad-free eval)."""
    import torch
    import torch.nn.functional as F

    s = 2 if quick else 1
    n = 4096 // s

    def chain50(x):
        for i in range(50):
            x = torch.sin(x) if i % 2 else x * 1.01 + 0.1
        return x

    class Block(torch.nn.Module):
        def __init__(self, d=512, h=8):
            super().__init__()
            self.h = h
            self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
            self.qkv, self.o = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
            self.fc1, self.fc2 = torch.nn.Linear(d, 4 * d), torch.nn.Linear(4 * d, d)

        def forward(self, x):
            b, t, d = x.shape
            q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
            sh = lambda z: z.reshape(b, t, self.h, d // self.h).transpose(1, 2)  # noqa: E731
            a = torch.softmax(sh(q) @ sh(k).transpose(-1, -2) / (d // self.h) ** 0.5, -1) @ sh(v)
            x = x + self.o(a.transpose(1, 2).reshape(b, t, d))
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    mlp = torch.nn.Sequential(torch.nn.Linear(1024, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                              torch.nn.ReLU(), torch.nn.Linear(1024, 1024)).eval()
    block = Block().eval()
    return {
        "tanh(x*w+b)*0.5+x": (lambda x, w, b: torch.tanh(x * w + b) * 0.5 + x, [(n, n), (n,), (n,)]),
        "gelu(x@W+b)": (lambda x, W, b: F.gelu(x @ W + b), [(512, 1024), (1024, 4096 // s), (4096 // s,)]),
        "softmax rows": (lambda x: torch.softmax(x, -1), [(n, n)]),
        "layernorm": (lambda x: F.layer_norm(x, (1024,)), [(8192 // s, 1024)]),
        "mlp 3x1024": (mlp, [(256, 1024)]),
        "transformer block": (block, [(4, 256 // s, 512)]),
        "50 chained ops 1k": (chain50, [(1024,)]),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--cases", default="", help="comma-separated substrings of case names")
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        raise SystemExit("gpu_suite: torch is not installed") from None
    if not torch.cuda.is_available():
        raise SystemExit("gpu_suite: no CUDA GPU on this machine; this suite only runs on a GPU "
                         "(the Triton backend's CPU tests run under TRITON_INTERPRET=1 instead)")
    if os.environ.get("TRITON_INTERPRET"):
        raise SystemExit("gpu_suite: unset TRITON_INTERPRET to benchmark on the GPU")
    import triton
    from triton.testing import do_bench

    import furcate  # noqa: F401  (registers the torch.compile backend)
    from tests.tolerance import assert_close

    t_start = time.perf_counter()
    torch.manual_seed(0)
    rows = []
    print(f"gpu_suite: {torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}")
    for name, (fn, shapes) in cases(args.quick).items():
        if args.cases and not any(c in name for c in args.cases.split(",")):
            continue
        gpu_args = [torch.randn(s, device="cuda") for s in shapes]
        gfn = fn.cuda() if isinstance(fn, torch.nn.Module) else fn
        times, notes = {}, []
        with torch.no_grad():
            ref = gfn(*gpu_args)
            times["eager"] = do_bench(lambda: gfn(*gpu_args), return_mode="median")
            for label, make in (("inductor", lambda: torch.compile(gfn, backend="inductor")),
                                ("furcate[triton]", lambda: torch.compile(gfn, backend="furcate",
                                                                          options={"target": "triton"}))):
                torch._dynamo.reset()
                try:
                    c = make()
                    inp = gpu_args
                    t0 = time.perf_counter()
                    out = c(*inp)
                    compile_s = time.perf_counter() - t0
                    assert_close(out.float().cpu(), ref.float().cpu(), accumulated=True, rtol=2e-3, atol=2e-3,
                                 msg=f"{name} {label}")
                    times[label] = do_bench(lambda: c(*inp), return_mode="median")
                    notes.append(f"{label} first call {compile_s:.1f}s")
                except Exception as e:  # report and go on: one failing case must not hide the others
                    notes.append(f"{label} FAILED: {type(e).__name__}: {str(e)[:200]}")
        rows.append((name, times, notes))
        print(f"  {name}: " + ", ".join(f"{k} {v:.3f} ms" for k, v in times.items()) + " | " + "; ".join(notes),
              flush=True)
    print()
    print("| case | eager ms | inductor ms | furcate[triton] ms | furcate/eager | furcate/inductor |")
    print("|---|---|---|---|---|---|")
    for name, t, _ in rows:
        e, i, f = t.get("eager"), t.get("inductor"), t.get("furcate[triton]")
        fmt = lambda x: f"{x:.3f}" if x else "—"  # noqa: E731
        print(f"| {name} | {fmt(e)} | {fmt(i)} | {fmt(f)} | {fmt(e / f if f else None)}x | "
              f"{fmt(i / f if f and i else None)}x |")
    ratios = [t["eager"] / t["furcate[triton]"] for _, t, _ in rows if "furcate[triton]" in t]
    if ratios:
        print(f"\ngeomean speedup of furcate[triton] over eager: {statistics.geometric_mean(ratios):.2f}x")
    print(f"total {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
