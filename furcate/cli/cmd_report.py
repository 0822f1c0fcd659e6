"""``furcate report DIR``: turn a dump directory into one self-contained HTML page."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "report",
        help="render a dump directory (FURCATE_DUMP_DIR / --dump-dir) as one HTML page",
        description="Read the graphs dumped under DIR (by FURCATE_DUMP_DIR=DIR or --dump-dir DIR) and write "
        "one self-contained HTML page: the compiled graphs, graph splits and why, fused groups, "
        "placement, kernel sources, compile time per stage, the IR after each pass and the log.",
    )
    p.add_argument("dump_dir", metavar="DIR", help="a dump root, or one graph's directory inside it")
    p.add_argument("-o", "--output", metavar="FILE.html", help="where to write the page (default: DIR/report.html)")
    p.set_defaults(handler=run)


def run(args) -> int:
    from furcate.tools.report import write_report

    path, n = write_report(args.dump_dir, args.output)
    print(f"wrote {path} ({n} graph(s))")
    return 0
