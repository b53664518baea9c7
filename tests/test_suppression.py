"""Small-count suppression: the rules on hand-made tables, and a property-based test
that over random hierarchical count tables no hidden cell can be worked out from the
published cells and totals (exactly, with linear programming: its smallest and largest
possible values, given every published total and that counts are not negative, differ)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from portal.registry.indicators.suppression import (
    Constraint,
    Reason,
    rate_hidden,
    suppress,
)

THRESHOLD = 5


def test_nothing_small_nothing_hidden():
    values = {"a": 10, "b": 20, "t": 30}
    result = suppress(values, [Constraint("t", ("a", "b"))], THRESHOLD)
    assert result.hidden == frozenset()


def test_one_small_cell_takes_the_next_smallest_with_it():
    values = {"a": 3, "b": 20, "c": 12, "t": 35}
    result = suppress(values, [Constraint("t", ("a", "b", "c"))], THRESHOLD)
    assert result.primary == {"a"}
    assert result.secondary == {"c"}


def test_zero_is_a_small_count():
    values = {"a": 0, "b": 20, "t": 20}
    result = suppress(values, [Constraint("t", ("a", "b"))], THRESHOLD)
    assert result.primary == {"a"} and result.hidden == {"a", "b"}


def test_two_small_cells_whose_sum_is_small_take_a_third():
    # 1 + 2 = 3 could be worked out as "these two together", itself a small count
    values = {"a": 1, "b": 2, "c": 9, "d": 40, "t": 52}
    result = suppress(values, [Constraint("t", ("a", "b", "c", "d"))], THRESHOLD)
    assert result.hidden == {"a", "b", "c"}


def test_a_lone_member_takes_the_total():
    values = {"a": 2, "t": 2}
    result = suppress(values, [Constraint("t", ("a",))], THRESHOLD)
    assert result.hidden == {"a", "t"}


def test_hierarchy_network_county_nation():
    # county X: networks x1 (3, hidden) and x2; the county total is then safe only if x2
    # is hidden too; the nation is the sum of the counties.
    values = {"x1": 3, "x2": 40, "X": 43, "y1": 50, "Y": 50, "N": 93}
    constraints = [Constraint("X", ("x1", "x2")), Constraint("Y", ("y1",)),
                   Constraint("N", ("X", "Y"))]
    result = suppress(values, constraints, THRESHOLD)
    assert result.hidden == {"x1", "x2"}


def test_hidden_zeros_are_not_pinned_by_the_bound_at_zero():
    # Found by the property test: with every hidden cell's sum known and counts not
    # negative, a block of hidden zeros could be pinned to zero; more is hidden instead.
    values, constraints = build_table([[[0, 0, 0], [0, 0, 1], [0, 4, 3]]])
    result = suppress(values, constraints, 3)
    bounds = bounds_of_hidden(values, constraints, result.hidden)
    assert all(high - low > 1e-6 for low, high in bounds.values())


def test_threshold_zero_turns_suppression_off():
    assert suppress({"a": 0, "t": 0}, [Constraint("t", ("a",))], 0).hidden == frozenset()


def test_constraints_must_name_known_cells():
    with pytest.raises(ValueError, match="without a value"):
        suppress({"a": 1}, [Constraint("t", ("a",))], THRESHOLD)


def test_rates_on_hidden_counts_are_hidden():
    result = suppress({"a": 2, "b": 30, "t": 32}, [Constraint("t", ("a", "b"))], THRESHOLD)
    assert rate_hidden(["a"], result) and rate_hidden(["b", "x"], result)
    assert not rate_hidden(["t"], result)
    assert {r.value for r in Reason} == {"suppressed", "not_reported", "not_applicable",
                                         "not_released"}


# --- the property ------------------------------------------------------------------------

def build_table(counties: list[list[list[int]]]):
    """A nation of counties of networks, each network a row of counts with a row total;
    county rows and the nation row are sums. Returns values and constraints."""
    values: dict = {}
    constraints: list[Constraint] = []
    columns = len(counties[0][0])

    def row(name: str, counts: list[int]) -> None:
        for c, v in enumerate(counts):
            values[(name, c)] = v
        values[(name, "total")] = sum(counts)
        constraints.append(Constraint((name, "total"), tuple((name, c)
                                                             for c in range(columns))))

    county_sums = []
    for i, networks in enumerate(counties):
        for j, counts in enumerate(networks):
            row(f"n{i}.{j}", counts)
        sums = [sum(n[c] for n in networks) for c in range(columns)]
        row(f"c{i}", sums)
        county_sums.append(sums)
        for c in [*range(columns), "total"]:
            constraints.append(Constraint((f"c{i}", c), tuple(
                (f"n{i}.{j}", c) for j in range(len(networks)))))
    row("nation", [sum(s[c] for s in county_sums) for c in range(columns)])
    for c in [*range(columns), "total"]:
        constraints.append(Constraint(("nation", c), tuple(
            (f"c{i}", c) for i in range(len(counties)))))
    return values, constraints


def bounds_of_hidden(values, constraints, hidden):
    """For each hidden cell, its smallest and largest value consistent with everything
    published (linear programming over the hidden cells, all >= 0)."""
    unknowns = sorted(hidden, key=repr)
    index = {k: n for n, k in enumerate(unknowns)}
    a_eq, b_eq = [], []
    for constraint in constraints:
        row = np.zeros(len(unknowns))
        known = 0.0
        for key, sign in [(constraint.total, -1.0)] + [(m, 1.0) for m in constraint.members]:
            if key in index:
                row[index[key]] += sign
            else:
                known += sign * values[key]
        if row.any():
            a_eq.append(row)
            b_eq.append(-known)
    result = {}
    for key in unknowns:
        objective = np.zeros(len(unknowns))
        objective[index[key]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0, low.message
        upper = np.inf if high.status == 3 else -high.fun
        result[key] = (low.fun, upper)
    return result


counts = st.one_of(st.integers(0, 6), st.integers(0, 60), st.integers(0, 400))
tables = st.integers(1, 4).flatmap(lambda columns: st.lists(
    st.lists(st.lists(counts, min_size=columns, max_size=columns), min_size=1, max_size=4),
    min_size=1, max_size=4))


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.sampled_from([3, 5, 10]))
def test_no_hidden_value_can_be_recovered(counties, threshold):
    values, constraints = build_table(counties)
    result = suppress(values, constraints, threshold)
    assert {k for k, v in values.items() if v < threshold} <= result.hidden
    if not result.hidden:
        return
    for key, (low, high) in bounds_of_hidden(values, constraints, result.hidden).items():
        assert high - low > 1e-6, f"{key} = {values[key]} can be worked out ({low}..{high})"
    # no published total discloses a small group of hidden members by difference
    for constraint in constraints:
        if constraint.total in result.hidden:
            continue
        hidden_members = [m for m in constraint.members if m in result.hidden]
        if hidden_members:
            assert len(hidden_members) >= 2
            assert sum(values[m] for m in hidden_members) >= threshold
