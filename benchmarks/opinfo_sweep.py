"""The full OpInfo sweep: every OpInfo of PyTorch's ``op_db`` through furcate vs eager.

Reuses ``sweep`` / ``run_sample`` / ``EXPECTED`` of ``tests/frontend/test_opinfo.py``; this
script only splits the ops over worker processes, bounds each op's time and prints a table.

    .venv/bin/python benchmarks/opinfo_sweep.py                      # everything, 2 workers
    .venv/bin/python benchmarks/opinfo_sweep.py --ops '^(add|exp)$'  # a subset (regex on the name)
    .venv/bin/python benchmarks/opinfo_sweep.py --json sweep.json --max-samples 2 --dtypes f32,i64

Outcomes per sample: passed, fell back, wrong, eager raised; per op and dtype: xfail, no samples;
per op: timeout (the op ran past ``--timeout`` seconds; its worker is killed and replaced, the
samples it finished are kept). Exit status 1 if any sample is ``wrong``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import sys
import time
from collections import Counter, defaultdict
from multiprocessing.connection import wait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTCOMES = ("passed", "fell back", "xfail", "eager raised", "no samples", "wrong", "timeout")
DTYPE_NAMES = {"f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16",
               "i32": "int32", "i64": "int64", "bool": "bool"}


def _setup():
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    import logging

    logging.getLogger("furcate").setLevel(logging.ERROR)  # fallback log lines: counted, not printed
    # Dynamo's warning when AOTAutograd cannot trace a data-dependent scalar (narrow / tensor_split
    # at a tensor offset, for every backend: it graph-breaks and runs that code eagerly)
    logging.getLogger("torch._dynamo").setLevel(logging.ERROR)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    from tests.frontend import test_opinfo

    return torch, test_opinfo


def _op_name(op) -> str:
    return op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")


def _worker(conn, dtype_names, max_samples):
    """Receive op names, send ``("rec", record)`` per sample and ``("done", name)`` per op."""
    torch, t = _setup()
    ops = {_op_name(op): op for op in t.op_db()}
    dtypes = [getattr(torch, d) for d in dtype_names]
    while True:
        name = conn.recv()
        if name is None:
            return

        def report(op, dt, outcome, detail):
            conn.send(("rec", {"op": op, "dtype": str(dt).replace("torch.", ""), "outcome": outcome,
                               "detail": detail}))

        try:
            t.sweep([ops[name]], dtypes=dtypes, max_samples=max_samples, report=report)
        except Exception as e:  # noqa: BLE001 -- the sweep's own failure is a wrong answer to see
            report(name, "-", "wrong", f"sweep raised {type(e).__name__}: {str(e)[:200]}")
        conn.send(("done", name))


class _Slot:
    def __init__(self, ctx, dtype_names, max_samples):
        self.args = (dtype_names, max_samples)
        self.ctx = ctx
        self.start()

    def start(self):
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, *self.args), daemon=True)
        self.proc.start()
        child.close()
        self.op, self.since = None, 0.0

    def give(self, name):
        self.op, self.since = name, time.monotonic()
        self.conn.send(name)

    def kill(self):
        self.proc.kill()
        self.proc.join()
        self.conn.close()


def run(names, dtype_names, max_samples, jobs, timeout, on_record):
    """Sweep ``names`` over ``jobs`` workers; ``on_record(record)`` for each record."""
    ctx = mp.get_context("spawn")
    todo = list(names)
    slots = [_Slot(ctx, dtype_names, max_samples) for _ in range(min(jobs, len(todo)) or 1)]
    for s in slots:
        if todo:
            s.give(todo.pop(0))
    while any(s.op for s in slots):
        busy = [s for s in slots if s.op]
        ready = wait([s.conn for s in busy], timeout=1.0)
        for s in busy:
            if s.conn in ready:
                try:
                    kind, payload = s.conn.recv()
                except (EOFError, OSError):  # the worker died (a crash in native code)
                    on_record({"op": s.op, "dtype": "-", "outcome": "wrong", "detail": "worker process died"})
                    s.kill()
                    s.start()
                    kind = "done"
                else:
                    if kind == "rec":
                        on_record(payload)
                        continue
                s.op = None
            elif time.monotonic() - s.since > timeout:
                on_record({"op": s.op, "dtype": "-", "outcome": "timeout", "detail": f"over {timeout:.0f} s"})
                s.kill()
                s.start()
            if s.op is None and todo:
                s.give(todo.pop(0))
    for s in slots:
        s.conn.send(None)
        s.proc.join(10)
        if s.proc.is_alive():
            s.kill()


def table(records, wall) -> str:
    counts = Counter(r["outcome"] for r in records)
    lines = ["| outcome | count |", "|---|---:|"]
    lines += [f"| {o} | {counts.get(o, 0)} |" for o in OUTCOMES]
    lines.append(f"| total | {sum(counts.values())} |")
    wrong = defaultdict(list)
    for r in records:
        if r["outcome"] == "wrong":
            wrong[r["op"]].append(r)
    if wrong:
        lines.append(f"\nwrong: {sum(map(len, wrong.values()))} records in {len(wrong)} ops")
        for op in sorted(wrong):
            lines.append(f"  {op}:")
            for r in wrong[op]:
                lines.append(f"    [{r['dtype']}] {r['detail']}")
    timeouts = sorted({r["op"] for r in records if r["outcome"] == "timeout"})
    if timeouts:
        lines.append(f"\ntimeout: {', '.join(timeouts)}")
    lines.append(f"\nwall time: {wall:.0f} s")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ops", default=None, help="regex (re.search) on the OpInfo name[.variant]")
    p.add_argument("--max-samples", type=int, default=4, help="samples per op and dtype (0: all)")
    p.add_argument("--dtypes", default=",".join(DTYPE_NAMES), help=f"comma list of {','.join(DTYPE_NAMES)}")
    p.add_argument("--jobs", type=int, default=2, help="worker processes")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per op (all its dtypes)")
    p.add_argument("--json", default=None, help="write every record to this file")
    a = p.parse_args(argv)
    dtype_names = [DTYPE_NAMES[d.strip()] for d in a.dtypes.split(",") if d.strip()]
    _, t = _setup()
    names = [_op_name(op) for op in t.op_db()]
    if a.ops:
        names = [n for n in names if re.search(a.ops, n)]
    names = list(dict.fromkeys(names))
    print(f"{len(names)} OpInfos, dtypes {','.join(dtype_names)}, max {a.max_samples or 'all'} samples, "
          f"{a.jobs} jobs, {a.timeout:.0f} s per op", flush=True)
    records: list[dict] = []
    done_ops: set[str] = set()
    t0 = time.monotonic()

    def on_record(r):
        records.append(r)
        if r["outcome"] in ("wrong", "timeout"):
            print(f"  {r['outcome']}: {r['op']} [{r['dtype']}] {r['detail']}", flush=True)
        if r["op"] not in done_ops:
            done_ops.add(r["op"])
            if len(done_ops) % 100 == 0:
                print(f"  ... {len(done_ops)} ops, {time.monotonic() - t0:.0f} s", flush=True)

    run(names, dtype_names, a.max_samples or None, a.jobs, a.timeout, on_record)
    wall = time.monotonic() - t0
    print(table(records, wall))
    if a.json:
        import torch

        with open(a.json, "w") as f:
            json.dump({"argv": sys.argv[1:], "torch": torch.__version__, "wall_s": round(wall, 1),
                       "records": records}, f, indent=0)
    return 1 if any(r["outcome"] == "wrong" for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
