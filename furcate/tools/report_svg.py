"""The placement picture of a dump, parsed and re-rendered: never pasted.

``placement.html`` in a dump directory is a file anyone could have written. The
report keeps only what ``passes/explain.html`` draws — a fixed set of SVG
elements, each with a fixed set of attributes whose values must look like what
explain writes (numbers, ``#rrggbb`` colours, a few keywords) — and re-emits it
from scratch: text escaped, every other element dropped with its content, every
other attribute (``on*`` handlers, ``href``, ``style``...) dropped.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_NUM = r"-?\d+(?:\.\d+)?"
_NUMBER = re.compile(rf"^{_NUM}$")
_NUMBERS = re.compile(rf"^{_NUM}(?:[ ,]+{_NUM})*$")
_COLOUR = re.compile(r"^(?:#[0-9a-fA-F]{3,8}|none)$")
_PATH = re.compile(r"^[MLHVZmlhvz0-9 ,.\-]*$")
_TEXT = re.compile(r"^[^<>\"'&]*$")  # free text (still escaped when written)

# attribute -> the values it may take
_ATTRS = {
    **{a: _NUMBER for a in ("x", "y", "x1", "y1", "x2", "y2", "width", "height", "rx", "ry", "refX", "refY",
                            "markerWidth", "markerHeight", "stroke-width", "font-size")},
    "viewBox": _NUMBERS, "stroke-dasharray": _NUMBERS,
    "fill": _COLOUR, "stroke": _COLOUR,
    "d": _PATH,
    "class": re.compile(r"^[a-z ]*$"),
    "id": re.compile(r"^[A-Za-z][\w-]*$"),
    "orient": re.compile(r"^auto$"),
    "text-anchor": re.compile(r"^(?:start|middle|end)$"),
    "font-family": re.compile(r"^[\w -]*$"),
    "marker-end": re.compile(r"^url\(#[A-Za-z][\w-]*\)$"),
    "xmlns": re.compile(r"^http://www\.w3\.org/2000/svg$"),
    "data-name": _TEXT, "data-device": _TEXT, "data-src": _TEXT, "data-dst": _TEXT,
}
_CANONICAL = {name.lower(): name for name in _ATTRS}  # html.parser lowercases attribute names
_ELEMENTS = {"svg", "defs", "marker", "path", "line", "g", "title", "rect", "text"}


class _Sanitizer(HTMLParser):
    """Keeps the first top-level ``<svg>`` element of a page, re-rendered."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] | None = None  # (tag, allowed) inside the svg; None before it
        self.done = False

    def _inside(self) -> bool:
        return self.stack is not None and not self.done

    def _kept(self) -> bool:
        return all(allowed for _tag, allowed in self.stack)

    @staticmethod
    def _open(tag: str, attrs) -> str:
        parts = [tag]
        for lower, value in attrs:
            name = _CANONICAL.get(lower)
            rule = _ATTRS.get(name)
            if rule is not None and value is not None and rule.match(value):
                parts.append(f'{name}="{html.escape(value, quote=True)}"')
        return "<" + " ".join(parts)

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if self.stack is None:
            if tag == "svg":
                self.stack = [("svg", True)]
                self.out.append(self._open(tag, attrs) + ">")
            return
        allowed = tag in _ELEMENTS and tag != "svg"
        if allowed and self._kept():
            self.out.append(self._open(tag, attrs) + ">")
        self.stack.append((tag, allowed))

    def handle_startendtag(self, tag, attrs):
        if self._inside() and tag in _ELEMENTS and tag != "svg" and self._kept():
            self.out.append(self._open(tag, attrs) + "/>")

    def handle_endtag(self, tag):
        if not self._inside() or all(t != tag for t, _ in self.stack):
            return  # outside the picture, or a stray end tag
        while True:
            t = self.close_one()
            if t == tag:
                break
        if not self.stack:
            self.done = True

    def close_one(self) -> str:
        kept = self._kept()
        t, _allowed = self.stack.pop()
        if kept:
            self.out.append(f"</{t}>")
        return t

    def handle_data(self, data):
        if self._inside() and self._kept() and self.stack[-1][0] in ("title", "text"):
            self.out.append(html.escape(data, quote=True))


def placement_svg(page: str | None) -> str:
    """The first ``<svg>`` picture of ``page``, re-rendered from its allowed parts ('' if none)."""
    if not page:
        return ""
    p = _Sanitizer()
    try:
        p.feed(page)
        p.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; a page it cannot read shows no picture
        return ""
    while p._inside() and p.stack:  # close what the page left open
        p.close_one()
    return "".join(p.out)


__all__ = ["placement_svg"]
