"""The placement optimizer: α-expansion with min-cut moves over the unit DAG.

The problem (a *labeling* of units with devices)::

    E(L) = Σ_u time(u, L_u) + Σ_values Σ_{e ∈ devices of its consumers, e ≠ L_producer} transfer(v, L_producer → e)

A value is moved once per destination device, however many consumers it has
there. Forbidden labels (unsupported op, pinned elsewhere, over capacity) have
infinite unary cost.

α-expansion (Boykov, Veksler & Zabih, *Fast approximate energy minimization
via graph cuts*, 2001): for each device α in turn, every unit may keep its
device or switch to α; the best such move is a binary problem solved exactly
by one s-t minimum cut (Kolmogorov & Zabih, 2004, for the pairwise terms;
a transfer to a *set* of consumers is an OR over them, represented exactly
with one auxiliary node). Where a move's term is not submodular (a producer
moving to α would make the transfer to a third device cheaper), the term is
replaced by an upper bound that is exact at the current labeling
(majorize-minimize, as in Rother et al., 2005), and a move is only accepted
when the *true* energy goes down — so the energy decreases monotonically
and the loop terminates. With two devices every move's energy is submodular,
and the first expansion from the all-host start is the exact optimum.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

INF = float("inf")


@dataclass
class Value:
    """A tensor crossing unit boundaries: produced by a unit (an index) or fixed on a device
    (a name: program inputs arrive on the host); consumed by units and/or fixed devices (the
    host, for program outputs)."""

    producer: int | str
    consumers: list[int | str]
    nbytes: int
    name: str = ""


class _Flow:
    """Dinic's maximum flow; ``source_side()`` gives the minimum cut."""

    def __init__(self, n: int):
        self.n = n
        self.graph: list[list[int]] = [[] for _ in range(n)]
        self.to: list[int] = []
        self.cap: list[float] = []

    def add_node(self) -> int:
        self.graph.append([])
        self.n += 1
        return self.n - 1

    def add_edge(self, u: int, v: int, c: float) -> None:
        if c <= 0 or u == v:
            return
        self.graph[u].append(len(self.to))
        self.to.append(v)
        self.cap.append(c)
        self.graph[v].append(len(self.to))
        self.to.append(u)
        self.cap.append(0.0)

    def _bfs(self, s: int, t: int) -> list[int] | None:
        level = [-1] * self.n
        level[s] = 0
        q = deque([s])
        while q:
            u = q.popleft()
            for e in self.graph[u]:
                if self.cap[e] > 1e-18 and level[self.to[e]] < 0:
                    level[self.to[e]] = level[u] + 1
                    q.append(self.to[e])
        return level if level[t] >= 0 else None

    def maxflow(self, s: int, t: int) -> float:
        total = 0.0
        while (level := self._bfs(s, t)) is not None:
            it = [0] * self.n
            while (f := self._push(s, t, level, it)) > 0:
                total += f
        return total

    def _push(self, s: int, t: int, level, it) -> float:
        # iterative DFS along the level graph
        path: list[int] = []
        u = s
        while True:
            if u == t:
                f = min(self.cap[e] for e in path)
                if f == INF:
                    raise ValueError("placement: every choice is forbidden for some unit (infinite cut)")
                for e in path:
                    self.cap[e] -= f
                    self.cap[e ^ 1] += f
                return f
            advanced = False
            while it[u] < len(self.graph[u]):
                e = self.graph[u][it[u]]
                v = self.to[e]
                if self.cap[e] > 1e-18 and level[v] == level[u] + 1:
                    path.append(e)
                    u = v
                    advanced = True
                    break
                it[u] += 1
            if not advanced:
                if not path:
                    return 0.0
                level[u] = -1  # dead end
                e = path.pop()
                u = self.to[e ^ 1]
                it[u] += 1

    def source_side(self, s: int) -> set[int]:
        seen = {s}
        q = deque([s])
        while q:
            u = q.popleft()
            for e in self.graph[u]:
                if self.cap[e] > 1e-18 and self.to[e] not in seen:
                    seen.add(self.to[e])
                    q.append(self.to[e])
        return seen


class Problem:
    """Unary costs ``unary[u][device]`` (INF = forbidden), values, and ``transfer(src, dst, n)``."""

    def __init__(self, devices: list[str], unary: list[dict[str, float]], values: list[Value], transfer):
        self.devices = devices
        self.unary = unary
        self.values = values
        self.transfer = transfer

    def tcost(self, a: str, b: str, n: int) -> float:
        return 0.0 if a == b else self.transfer(a, b, n)

    def label_of(self, x, labels: list[str]) -> str:
        return x if isinstance(x, str) else labels[x]

    def energy(self, labels: list[str]) -> float:
        e = sum(self.unary[u][labels[u]] for u in range(len(labels)))
        for v in self.values:
            src = self.label_of(v.producer, labels)
            for dst in {self.label_of(c, labels) for c in v.consumers}:
                e += self.tcost(src, dst, v.nbytes)
        return e

    def transfer_cost(self, labels: list[str]) -> float:
        return self.energy(labels) - sum(self.unary[u][labels[u]] for u in range(len(labels)))

    # -- one expansion move -------------------------------------------------
    def expand(self, alpha: str, labels: list[str]) -> list[str]:
        """The best labeling where each unit keeps its device or switches to ``alpha``
        (exact where the move is submodular, else the minimum of an upper bound)."""
        S, T = 0, 1
        g = _Flow(2)
        node: dict[int, int] = {}
        for u, lab in enumerate(labels):
            if lab != alpha:
                node[u] = g.add_node()

        def unary(i: int, c0: float, c1: float) -> None:  # cost c0 if x_i=0 (keep), c1 if x_i=1
            if c0 <= c1:
                g.add_edge(S, i, c1 - c0)
            else:
                g.add_edge(i, T, c0 - c1)

        def pair(i: int, j: int, k: float) -> None:  # cost k if x_i=1 and x_j=0
            g.add_edge(j, i, k)

        for u, i in node.items():
            unary(i, self.unary[u][labels[u]], self.unary[u][alpha])
        for v in self.values:
            self._transfer_terms(v, alpha, labels, node, g, unary, pair)
        g.maxflow(S, T)
        keep = g.source_side(S)
        return [alpha if (u in node and node[u] not in keep) else lab for u, lab in enumerate(labels)]

    def _transfer_terms(self, v: Value, alpha, labels, node, g, unary, pair) -> None:
        n = v.nbytes
        p_fixed = not isinstance(v.producer, int) or v.producer not in node
        lp = self.label_of(v.producer, labels)
        p = None if p_fixed else node[v.producer]
        fixed = {self.label_of(c, labels) for c in v.consumers if isinstance(c, str) or c not in node}
        var: dict[str, list[int]] = {}
        for c in v.consumers:
            if isinstance(c, int) and c in node:
                var.setdefault(labels[c], []).append(node[c])
        all_var = [i for group in var.values() for i in group]
        # destination alpha: paid when some consumer ends on alpha and the producer does not
        if lp != alpha:
            k = self.tcost(lp, alpha, n)
            if alpha in fixed:
                if p is not None:
                    unary(p, k, 0.0)
            elif all_var:
                z = all_var[0] if len(all_var) == 1 else g.add_node()
                if len(all_var) > 1:
                    for c in all_var:
                        pair(c, z, INF)  # z >= x_c: z is 1 when any consumer moves to alpha
                if p is None:
                    unary(z, 0.0, k)
                else:
                    pair(z, p, k)
        # destination d != alpha: paid when some consumer stays on d
        for dev in (fixed | set(var)) - {alpha}:
            group = var.get(dev, [])
            a = self.tcost(lp, dev, n)
            if p is None:
                if dev in fixed or not group:
                    continue  # a constant
                w = self._and_node(group, g, pair)
                unary(w, a, 0.0)
                continue
            b = self.tcost(alpha, dev, n)
            if dev in fixed:
                unary(p, a, b)
                continue
            w = self._and_node(group, g, pair)
            unary(w, a, 0.0)
            if b >= a:
                pair(p, w, b - a)
            # else: -(a-b)·x_p·(1-w) <= 0 is dropped: an upper bound, exact at the current labeling

    @staticmethod
    def _and_node(group: list[int], g: _Flow, pair) -> int:
        """A node that is 1 only when every node of ``group`` is 1."""
        if len(group) == 1:
            return group[0]
        w = g.add_node()
        for c in group:
            pair(w, c, INF)  # w <= x_c
        return w

    # -- the loop -----------------------------------------------------------
    def solve(self, start: list[str], max_sweeps: int = 8) -> list[str]:
        labels = list(start)
        best = self.energy(labels)
        for _ in range(max_sweeps):
            improved = False
            for alpha in self.devices:
                cand = self.expand(alpha, labels)
                e = self.energy(cand)
                if e < best - 1e-15 * max(1.0, abs(best)):
                    labels, best, improved = cand, e, True
            if not improved:
                break
        return labels


__all__ = ["Problem", "Value", "INF"]
