"""The fixed cost of a compiled call: tiny graphs through torch.compile, furcate vs inductor.

    python benchmarks/call_overhead.py [--rounds 21] [--calls 2000]

Each case's graph does almost no work (1 to 64 elements), so its time per call is the call
path: Dynamo's guards, AOTAutograd's runtime wrapper, the backend's own entry (argument
checks, dispatch, output tensors) and the kernel call. Eager PyTorch, inductor and furcate run
interleaved in one process under ``torch.no_grad``; the table gives median microseconds per
call and the median of the paired furcate/inductor ratios (1.00: the same fixed cost).
A "dynamo only" column (a backend that returns the FX graph's own ``forward``) shows the part
no backend can remove.
"""

from __future__ import annotations

import argparse
import statistics
import time


def cases(torch):
    return {
        "x + 1 (1 element)": (lambda x: x + 1, (torch.randn(1),)),
        "2 in, 2 out (64 elements)": (lambda x, y: ((x * 2 + y).relu(), x - y), (torch.randn(64), torch.randn(64))),
        "softmax (1x16)": (lambda x: torch.softmax(x, -1), (torch.randn(1, 16),)),
        "linear 8->8 + relu (batch 1)": (None, None),  # built below (a module: parameters are inputs)
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args(argv)

    import torch

    import furcate  # noqa: F401  (registers the backend)

    torch.set_num_threads(2)
    table = cases(torch)
    lin = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).eval()
    table["linear 8->8 + relu (batch 1)"] = (lin, (torch.randn(1, 8),))
    print(f"{'case':32} {'eager':>8} {'dynamo only':>12} {'inductor':>9} {'furcate':>8}  furcate/inductor")
    for name, (fn, inputs) in table.items():
        impls = {
            "eager": fn,
            "dynamo only": torch.compile(fn, backend=lambda gm, ex: gm.forward),
            "inductor": torch.compile(fn, backend="inductor"),
            "furcate": torch.compile(fn, backend="furcate"),
        }
        res = {k: [] for k in impls}
        with torch.no_grad():
            for g in impls.values():
                g(*inputs)
                g(*inputs)
            for _ in range(args.rounds):
                for k, g in impls.items():
                    t = time.perf_counter()
                    for _ in range(args.calls):
                        g(*inputs)
                    res[k].append((time.perf_counter() - t) / args.calls * 1e6)
        ratio = statistics.median(a / b for a, b in zip(res["furcate"], res["inductor"]))
        med = {k: statistics.median(v) for k, v in res.items()}
        print(f"{name:32} {med['eager']:7.1f}u {med['dynamo only']:11.1f}u {med['inductor']:8.1f}u "
              f"{med['furcate']:7.1f}u  {ratio:.2f}")


if __name__ == "__main__":
    main()
