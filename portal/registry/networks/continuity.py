"""TYP → TYM continuity of each network, from municipality sets.

For a TYM network T and a TYP network P (2015-2024), with sets of municipality codes
(TYP codes first mapped through municipal mergers, e.g. 588 Pertunmaa → 507 Mäntyharju):

- share of T from P  = |T ∩ P| / |T|
- share of P in T    = |T ∩ P| / |P|
- P is a *predecessor* of T when share of T from P >= PREDECESSOR_SHARE (1/4).

Classes, tested in this order:

1. **new**: T has no predecessor (no TYP network supplies a quarter of it).
2. **continues**: T has exactly the municipalities of one TYP network.
3. **merged**: two or more TYP networks went mostly into T (share of P in T >=
   MERGED_SHARE, 1/2, for each).
4. **split**: T's main predecessor P (largest share of T) was divided: two or more TYM
   networks each took at least SPLIT_SHARE (1/3) of P.
5. **moved**: otherwise: one main predecessor, and single municipalities moved between
   networks.

Counts are of municipalities, not people: a documented simplification until population
weights are loaded. The national summary counts networks that "continue".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

PREDECESSOR_SHARE = 0.25
MERGED_SHARE = 0.5
SPLIT_SHARE = 1 / 3


class Continuity(enum.StrEnum):
    continues = "continues"
    split = "split"
    merged = "merged"
    new = "new"
    moved = "moved"


@dataclass(frozen=True)
class Predecessor:
    typ_id: str
    shared: int
    share_of_tym: float
    share_of_typ: float


@dataclass(frozen=True)
class ContinuityResult:
    network: str
    kind: Continuity
    predecessors: tuple[Predecessor, ...]  # significant ones, largest share first


def classify_continuity(tym: Mapping[str, frozenset[str]],
                        typ: Mapping[str, frozenset[str]]) -> dict[str, ContinuityResult]:
    """Classify every TYM network in ``tym`` against the TYP networks in ``typ``."""
    overlaps: dict[str, list[Predecessor]] = {}
    for t_id, t_set in tym.items():
        found = []
        for p_id, p_set in typ.items():
            shared = len(t_set & p_set)
            if shared and t_set and p_set:
                found.append(Predecessor(p_id, shared, shared / len(t_set), shared / len(p_set)))
        overlaps[t_id] = found

    # For each TYP network: how many TYM networks took at least SPLIT_SHARE of it.
    takers: dict[str, int] = {}
    for found in overlaps.values():
        for p in found:
            if p.share_of_typ >= SPLIT_SHARE:
                takers[p.typ_id] = takers.get(p.typ_id, 0) + 1

    results = {}
    for t_id, found in overlaps.items():
        preds = tuple(sorted((p for p in found if p.share_of_tym >= PREDECESSOR_SHARE),
                             key=lambda p: (-p.share_of_tym, p.typ_id)))
        if not preds:
            kind = Continuity.new
        elif any(typ[p.typ_id] == tym[t_id] for p in preds):
            kind = Continuity.continues
        elif sum(p.share_of_typ >= MERGED_SHARE for p in found) >= 2:
            kind = Continuity.merged
        elif takers.get(preds[0].typ_id, 0) >= 2:
            kind = Continuity.split
        else:
            kind = Continuity.moved
        results[t_id] = ContinuityResult(t_id, kind, preds)
    return results


def apply_mergers(codes: frozenset[str], merged_into: Mapping[str, str]) -> frozenset[str]:
    """Map municipality codes through mergers (repeatedly, for chains of mergers)."""
    out = set()
    for code in codes:
        seen = set()
        while code in merged_into and code not in seen:
            seen.add(code)
            code = merged_into[code]
        out.add(code)
    return frozenset(out)
