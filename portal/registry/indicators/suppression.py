"""Small-count suppression: which published counts must be left blank. Pure (no
database, no Flask): a table of counts and the totals published with it in, the set of
cells to hide out.

The rules (docs/indicators.md, "Suppression"):

1. **Primary**: a count under the threshold (``SUPPRESSION_THRESHOLD``, default 5; zero
   included) is never published.
2. **Secondary**: every published total is a linear *constraint*: ``total = sum of
   members`` (a row of counts and its row total, the networks of a county and the
   county's total, the counties and the nation, the networks inside an employment area
   and the area). In each constraint, the hidden cells are either none or
   - at least two, and
   - when the total is published, the part a reader can work out for the hidden members
     together (total minus the published members) is at least the threshold (so a small
     group is not disclosed by difference, and hidden zeros are not pinned to zero).
   Cells are added smallest first (members before the total) until this holds.
3. **Audit**: taking every constraint together, no hidden cell may be a linear
   function of the published cells (a reader could solve for it across several
   constraints, e.g. a hidden cell that bridges two otherwise protected blocks), nor be
   pinned to one value by the constraints together with "counts are not negative"
   (checked by linear programming where hidden zeros make that possible). Each such
   cell gets one more cell of its smallest constraint hidden, and rules 2-3 run again
   until nothing can be worked out.
4. A **rate** built on a hidden count is hidden as well (``rate_hidden``).

Every blank cell says why it is blank (``Reason``).
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 5
_MAX_ROUNDS = 10_000  # each round hides one more cell; a table has fewer cells than this


class Reason(enum.StrEnum):
    """Why a cell is blank. The values appear in every download and in the API."""

    suppressed = "suppressed"  # a small count, or one that would reveal a small count
    not_reported = "not_reported"  # the network (or registry) has not reported it
    not_applicable = "not_applicable"  # the indicator does not exist for this unit/period
    not_released = "not_released"  # the source has not published it (yet)


@dataclass(frozen=True)
class Constraint:
    """A published total: ``total`` equals the sum of ``members`` (cell keys)."""

    total: Hashable
    members: tuple[Hashable, ...]

    def cells(self) -> tuple[Hashable, ...]:
        return (self.total, *self.members)


@dataclass(frozen=True)
class Suppression:
    """The outcome for one table: cells hidden because they are small (``primary``) and
    because they would reveal a small one (``secondary``)."""

    primary: frozenset
    secondary: frozenset

    @property
    def hidden(self) -> frozenset:
        return self.primary | self.secondary

    def is_hidden(self, key: Hashable) -> bool:
        return key in self.primary or key in self.secondary


def is_small(value: float | None, threshold: int) -> bool:
    return value is not None and value < threshold


def suppress(values: Mapping[Hashable, int], constraints: Sequence[Constraint],
             threshold: int = DEFAULT_THRESHOLD) -> Suppression:
    """Cells of ``values`` (key -> count) to hide. Constraints may only name keys of
    ``values`` (a cell that is blank for another reason is not published and is not a
    member of any published total: leave it out of both)."""
    if threshold <= 0:
        return Suppression(frozenset(), frozenset())
    for constraint in constraints:
        missing = [k for k in constraint.cells() if k not in values]
        if missing:
            raise ValueError(f"constraint names cells without a value: {missing[:3]}")
    primary = {k for k, v in values.items() if is_small(v, threshold)}
    hidden = set(primary)
    if not hidden:
        return Suppression(frozenset(), frozenset())
    by_cell: dict[Hashable, list[int]] = {}
    for index, constraint in enumerate(constraints):
        for key in constraint.cells():
            by_cell.setdefault(key, []).append(index)

    for _ in range(_MAX_ROUNDS):
        _close_constraints(values, constraints, hidden, threshold)
        solvable = _solvable(values, constraints, hidden, by_cell)
        if not solvable:
            break
        extra = _nearest_to_hide(solvable[0], values, constraints, hidden, by_cell)
        if extra is None:  # the whole table is hidden: nothing can be worked out then
            raise AssertionError(f"cell {solvable[0]!r} is solvable but nothing is left "
                                 "to hide")
        hidden.add(extra)
    else:
        raise AssertionError("suppression did not converge")
    return Suppression(frozenset(primary), frozenset(hidden - primary))


def _nearest_to_hide(key: Hashable, values: Mapping, constraints: Sequence[Constraint],
                     hidden: set, by_cell: Mapping[Hashable, list[int]]) -> Hashable | None:
    """The cell to hide so that ``key`` can no longer be worked out: the smallest
    published cell of its smallest constraint; when all of its constraints are hidden
    (it is pinned through other cells), of the nearest constraint reached through
    hidden cells that still has a published one."""
    seen_cells, seen_constraints = {key}, set()
    frontier = [key]
    while frontier:
        candidates = sorted({i for cell in frontier for i in by_cell.get(cell, ())}
                            - seen_constraints,
                            key=lambda i: (len(constraints[i].cells()), i))
        seen_constraints.update(candidates)
        for index in candidates:
            extra = _next_to_hide(values, constraints[index], hidden)
            if extra is not None:
                return extra
        frontier = [c for i in candidates for c in constraints[i].cells()
                    if c not in seen_cells]
        seen_cells.update(frontier)
    return None


def _next_to_hide(values: Mapping, constraint: Constraint, hidden: set) -> Hashable | None:
    """The smallest published member (ties: first listed), else the total if published."""
    published = [(values[k], n, k) for n, k in enumerate(constraint.members) if k not in hidden]
    if published:
        return min(published, key=lambda item: (item[0], item[1]))[2]
    if constraint.total not in hidden:
        return constraint.total
    return None


def _unsafe(values: Mapping, constraint: Constraint, hidden: set, threshold: int) -> bool:
    cells = constraint.cells()
    count = sum(1 for k in cells if k in hidden)
    if count == 0:
        return False
    if count == 1:
        return True
    if constraint.total in hidden:
        return False
    residual = values[constraint.total] - sum(values[k] for k in constraint.members
                                             if k not in hidden)
    return residual < threshold


def _close_constraints(values: Mapping, constraints: Sequence[Constraint], hidden: set,
                       threshold: int) -> None:
    """Rule 2 until every constraint is safe."""
    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            while _unsafe(values, constraint, hidden, threshold):
                extra = _next_to_hide(values, constraint, hidden)
                if extra is None:
                    break
                hidden.add(extra)
                changed = True


def _solvable(values: Mapping, constraints: Sequence[Constraint], hidden: set,
              by_cell: Mapping[Hashable, list[int]]) -> list:
    """Hidden cells that are a linear function of the published cells (rule 3), found
    per connected block of hidden cells (cells linked by a shared constraint), since
    the equations of different blocks share no unknown."""
    unknowns = sorted((k for k in hidden if k in by_cell), key=repr)
    parent = {k: k for k in unknowns}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    equations = []  # (terms over hidden cells, right-hand side from published cells)
    for constraint in constraints:
        terms = [(k, -1.0) for k in (constraint.total,) if k in parent]
        terms += [(k, 1.0) for k in constraint.members if k in parent]
        if terms:
            known = (-(0.0 if constraint.total in parent else values[constraint.total])
                     + sum(values[k] for k in constraint.members if k not in parent))
            equations.append((terms, -known))
            first = root(terms[0][0])
            for key, _ in terms[1:]:
                other = root(key)
                if other != first:
                    parent[other] = first
    blocks: dict[Hashable, list] = {}
    for key in unknowns:
        blocks.setdefault(root(key), []).append(key)
    block_equations: dict[Hashable, list] = {}
    for terms, rhs in equations:
        block_equations.setdefault(root(terms[0][0]), []).append((terms, rhs))
    found = []
    for block_root, keys in blocks.items():
        rows = block_equations.get(block_root, [])
        determined = _determined(keys, [t for t, _ in rows])
        if not determined and any(values[k] == 0 for k in keys):
            # Hidden zeros sit on the bound "counts are not negative": a cell may be
            # pinned by it even when no linear combination gives it (rule 3 with bounds).
            determined = _pinned(keys, rows, values)
        found.extend(determined)
    return sorted(found, key=repr)


def _pinned(unknowns: list, rows: list, values: Mapping) -> list:
    """The unknowns that the equations together with ``x >= 0`` fix to one value.

    Only hidden zeros sit on the bound. A zero cell is free exactly when some direction
    ``d`` in the null space with ``d >= 0`` on the zeros has ``d_j > 0``; one linear
    programme finds all of them at once (maximise the number of zeros that can rise,
    each counted up to 1: ``t_j <= d_j``, ``t_j <= 1``). The zeros that cannot rise are
    pinned; with them fixed, every other cell is free exactly when it is not linearly
    determined (a direction positive on the remaining zeros can be added to any null
    vector), so ``_determined`` finishes the job."""
    zeros = [k for k in unknowns if values[k] == 0]
    others = [k for k in unknowns if values[k] != 0]
    nz, nn = len(zeros), len(others)
    index_z = {k: n for n, k in enumerate(zeros)}
    index_n = {k: n for n, k in enumerate(others)}
    m = len(rows)
    # variables: d_Z (nz), p (nn), q (nn), t (nz), u (nz), w (nz)
    width = nz + 2 * nn + 3 * nz
    matrix = np.zeros((m + 2 * nz, width))
    rhs = np.zeros(m + 2 * nz)
    for row, (terms, _value) in enumerate(rows):
        for key, sign in terms:
            if key in index_z:
                matrix[row, index_z[key]] += sign
            else:
                matrix[row, nz + index_n[key]] += sign
                matrix[row, nz + nn + index_n[key]] -= sign
    t0, u0, w0 = nz + 2 * nn, nz + 2 * nn + nz, nz + 2 * nn + 2 * nz
    for j in range(nz):
        matrix[m + j, t0 + j], matrix[m + j, j], matrix[m + j, u0 + j] = 1.0, -1.0, 1.0
        matrix[m + nz + j, t0 + j], matrix[m + nz + j, w0 + j] = 1.0, 1.0
        rhs[m + nz + j] = 1.0
    objective = np.zeros(width)
    objective[t0:t0 + nz] = 1.0
    _value, solution = _maximise(matrix, rhs, objective)
    fixed = [k for k in zeros if solution[t0 + index_z[k]] < 0.5]
    rest = [k for k in unknowns if k not in set(fixed)]
    reduced = [[(k, sign) for k, sign in terms if k not in set(fixed)] for terms, _ in rows]
    return fixed + _determined(rest, [t for t in reduced if t])


_TOL = 1e-9


def _pivot(table: np.ndarray, row: int, col: int) -> None:
    table[row] /= table[row, col]
    others = np.flatnonzero(np.abs(table[:, col]) > _TOL)
    others = others[others != row]
    if others.size:
        table[others] -= np.outer(table[others, col], table[row])


def _run(table: np.ndarray, basis: list[int], columns: int) -> bool:
    """Simplex iterations with Bland's rule (no cycling) on the first ``columns``
    columns; False when the objective is unbounded."""
    last = table.shape[0] - 1
    while True:
        negative = np.flatnonzero(table[last, :columns] < -_TOL)
        if negative.size == 0:
            return True
        entering = int(negative[0])
        column = table[:last, entering]
        rows = np.flatnonzero(column > _TOL)
        if rows.size == 0:
            return False
        ratios = table[rows, -1] / column[rows]
        low = ratios.min()
        ties = rows[ratios <= low + _TOL]
        leaving = int(min(ties, key=lambda r: basis[r]))
        _pivot(table, leaving, entering)
        basis[leaving] = entering


def _maximise(matrix: np.ndarray, rhs: np.ndarray, objective: np.ndarray) -> tuple[
        float | None, np.ndarray | None]:
    """max objective·x subject to matrix·x = rhs, x >= 0 (two-phase simplex): the
    value and an optimal x, (None, None) when unbounded. The system must be feasible."""
    m, n = matrix.shape
    a, b = matrix.copy(), rhs.copy()
    flip = b < 0
    a[flip], b[flip] = -a[flip], -b[flip]
    table = np.zeros((m + 1, n + m + 1))
    table[:m, :n], table[:m, n:n + m], table[:m, -1] = a, np.eye(m), b
    table[m, :n], table[m, -1] = -a.sum(axis=0), -b.sum()
    basis = list(range(n, n + m))
    _run(table, basis, n + m)
    for r in range(m):  # artificial variables still basic (at zero) leave if they can
        if basis[r] >= n:
            col = next((j for j in range(n) if abs(table[r, j]) > _TOL), None)
            if col is not None:
                _pivot(table, r, col)
                basis[r] = col
    table = np.delete(table, range(n, n + m), axis=1)
    table[m] = 0.0
    table[m, :n] = -objective
    for r, var in enumerate(basis):
        if var < n:
            table[m] += objective[var] * table[r]
        else:
            basis[r] = n + m  # a redundant row: never leaves (its row is zero)
    if not _run(table, basis, n):
        return None, None
    solution = np.zeros(n)
    for r, var in enumerate(basis):
        if var < n:
            solution[var] = table[r, -1]
    return float(table[m, -1]), solution


def _determined(unknowns: list, equations: list[list[tuple[Hashable, float]]]) -> list:
    """The unknowns fixed by the equations: x is determined by A x = b exactly when
    every vector of A's null space is zero at x (null(A) = null(AᵀA), a small square
    matrix with one row per unknown)."""
    if not equations:
        return []
    column = {k: n for n, k in enumerate(unknowns)}
    matrix = np.zeros((len(equations), len(unknowns)))
    for row, terms in enumerate(equations):
        for key, sign in terms:
            matrix[row, column[key]] += sign
    gram = matrix.T @ matrix
    eigenvalues, vectors = np.linalg.eigh(gram)
    tolerance = 1e-9 * max(1.0, float(eigenvalues.max(initial=0.0)))
    null = vectors[:, eigenvalues < tolerance]
    if null.shape[1] == 0:
        return list(unknowns)
    freedom = np.abs(null).max(axis=1)
    return [k for k, f in zip(unknowns, freedom, strict=True) if f < 1e-7]


def rate_hidden(inputs: Iterable[Hashable], suppression: Suppression) -> bool:
    """Rule 4: a rate is hidden when any count it is computed from is hidden."""
    return any(suppression.is_hidden(k) for k in inputs)


__all__ = ["DEFAULT_THRESHOLD", "Constraint", "Reason", "Suppression", "is_small",
           "rate_hidden", "suppress"]
