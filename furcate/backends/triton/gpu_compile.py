"""Ahead-of-time compile of generated Triton kernels for a GPU target (no GPU needed).

``triton.compile(ASTSource(...), target=GPUTarget("cuda", 90, 32))`` lowers a
kernel through TTIR/TTGIR/LLVM to PTX and a cubin with Triton's bundled
``ptxas``. It must run in a process where ``TRITON_INTERPRET`` is unset and
where the interpreter has not run the kernel, so ``compile_in_subprocess``
runs ``python -m furcate.backends.triton.gpu_compile`` with a JSON manifest:
used by the tests (every kernel furcate generates must compile for an
H100/H200) and by ``--dump-dir`` on a machine without a GPU (to write PTX).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from furcate.backends.triton import launch
from furcate.backends.triton.codegen import Rendered, module_source

PTR = {"f32": "*fp32", "f64": "*fp64", "f16": "*fp16", "bf16": "*bf16", "i1": "*u8", "i8": "*i8",
       "i32": "*i32", "i64": "*i64"}


def entry(path: str, rendered: Rendered, buffers, cfg: launch.Config, out_prefix: str) -> dict:
    """A manifest entry: compile ``rendered.name`` of module file ``path`` with ``cfg``."""
    sig = {f"b{i}": PTR[buffers[i].spec.dtype] for i in rendered.args}
    sig.update({c: "constexpr" for c in rendered.constexprs})
    return {"path": path, "fn": rendered.name, "signature": sig, "constexprs": cfg.kwargs(),
            "num_warps": cfg.num_warps, "num_stages": cfg.num_stages, "out": out_prefix}


def compile_entry(e: dict, arch: int) -> dict:
    """Compile one manifest entry in this process; writes ``<out>.ptx`` and returns sizes."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    spec = importlib.util.spec_from_file_location(f"fc_aot_{abs(hash(e['path']))}", e["path"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fn = getattr(mod, e["fn"])
    src = ASTSource(fn, signature=e["signature"], constexprs=e["constexprs"])
    opts = {"num_warps": e["num_warps"], "num_stages": e["num_stages"], "enable_fp_fusion": True}
    k = triton.compile(src, target=GPUTarget("cuda", arch, 32), options=opts)
    if e.get("out"):
        Path(e["out"] + ".ptx").write_text(k.asm["ptx"])
    res = {"ptx": len(k.asm["ptx"]), "cubin": len(k.asm["cubin"])}
    if e.get("return_ptx"):
        res["ptx_text"] = k.asm["ptx"]
    return res


def compile_in_subprocess(entries: list[dict], arch: int = 90, timeout: float = 600, jobs: int = 1) -> list[dict]:
    """Compile entries in fresh processes (``TRITON_INTERPRET`` unset; ``jobs`` of them at
    once); one result per entry: ``{"ok": True, "ptx": n, "cubin": n}`` or
    ``{"ok": False, "error": text}``."""
    env = dict(os.environ)
    env.pop("TRITON_INTERPRET", None)
    env.setdefault("TRITON_DEFAULT_FP_FUSION", "1")
    root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    chunks = [entries[i::jobs] for i in range(max(1, min(jobs, len(entries))))]
    procs = [subprocess.Popen([sys.executable, "-m", "furcate.backends.triton.gpu_compile", str(arch)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for _ in chunks]
    outs = [p.communicate(json.dumps(c), timeout=timeout) for p, c in zip(procs, chunks)]
    results: list[dict | None] = [None] * len(entries)
    for j, (p, (out, err)) in enumerate(zip(procs, outs)):
        if p.returncode != 0:
            raise RuntimeError(f"triton gpu_compile subprocess failed ({p.returncode}):\n{err[-4000:]}")
        for i, r in zip(range(j, len(entries), len(chunks)), json.loads(out.strip().splitlines()[-1])):
            results[i] = r
    return results


def dump_kernels(dumper, launchers, units, mode: str) -> None:
    """Write each kernel's module (``<name>.py``, what runs here), its GPU rendering
    (``<name>.gpu.py``) and its PTX (``<name>.ptx``) into the graph's dump directory."""
    from furcate.backends.triton.build import KUnit, render_kernel
    from furcate.diagnostics import log

    entries = []
    arch = 90
    if mode == "cuda":
        import torch

        major, minor = torch.cuda.get_device_capability()
        arch = major * 10 + minor
    kunits = [u for u in units.units if isinstance(u, KUnit)]
    for u, call in zip(kunits, launchers):
        name = u.rendered.name
        dumper.kernel(f"{name}.py", call.module_source)
        gpu_k, gpu_r = u.kernel, u.rendered
        if mode != "cuda" and u.rendered.kind == "reduction":  # the GPU's choice of reduction form
            gpu_k, gpu_r = render_kernel(u.kernel, name, interpret=False)
        dumper.kernel(f"{name}.gpu.py", module_source([gpu_r.source]))
        cfg = launch.heuristic(gpu_r.kind, gpu_r.space, interpret=False)
        e = entry(str(dumper.dir / f"{name}.gpu.py"), gpu_r, gpu_k.buffers, cfg, "")
        entries.append({**e, "return_ptx": True})
    if not entries:
        return
    try:
        results = compile_in_subprocess(entries, arch)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        log("codegen").warning("triton: no PTX in the dump: %s", e)
        return
    for e, r in zip(entries, results):
        if r.get("ok"):
            dumper.kernel(f"{e['fn']}.ptx", r["ptx_text"])
        else:
            log("codegen").warning("triton: %s does not compile for sm_%d: %s", e["fn"], arch, r.get("error"))


def main() -> None:
    arch = int(sys.argv[1]) if len(sys.argv) > 1 else 90
    if os.environ.get("TRITON_INTERPRET"):
        raise SystemExit("gpu_compile: unset TRITON_INTERPRET")
    entries = json.loads(sys.stdin.read())
    results = []
    for e in entries:
        try:
            results.append({"ok": True, **compile_entry(e, arch)})
        except Exception as ex:  # report every kernel's failure, not just the first
            results.append({"ok": False, "error": f"{type(ex).__name__}: {str(ex)[-3000:]}"})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
