"""The disclosure-control engine on small tables (the attacks are in tests/*/test_disclosure_attack.py)."""

from monitor.disclosure import Dim, Shown, State, protect, protect_groups, share, sum_shown

from .disclosure_audit import Attack, boxes

DIMS = (Dim("organisatie", (1, 2, 3), owner=True), Dim("wijk", (10, 11)), Dim("categorie", ("a", "b")))


def outsider(key):
    return key[0] is None or key[1] is None


def test_counts_below_five_are_hidden():
    atoms = {(1, 10, "a"): 3, (1, 10, "b"): 20, (2, 10, "a"): 12, (2, 11, "b"): 15, (3, 11, "a"): 9,
             (3, 11, "b"): 7}
    table = protect(DIMS, atoms, outsider)
    assert table.get(organisatie=1, categorie="a").text == "<5"
    assert table.get(organisatie=1, wijk=10).state == State.SECONDARY  # organisation x wijk: never
    # whatever else is hidden is marked x, never as a false "<5"
    for key, state in table.states.items():
        if state == State.PRIMARY:
            assert 0 < table.values[key] < 5


def test_a_hidden_cell_cannot_be_recovered_by_subtraction():
    atoms = {(1, 10, "a"): 3, (1, 10, "b"): 20, (2, 10, "a"): 12, (2, 10, "b"): 6, (2, 11, "a"): 8,
             (2, 11, "b"): 15, (3, 11, "a"): 9, (3, 11, "b"): 7, (3, 10, "a"): 5}
    table = protect(DIMS, atoms, outsider)
    attack = Attack(atoms, owner_index=0)
    for org in (None, 1, 2, 3):
        for wijk in (None, 10, 11):
            for cat in (None, "a", "b"):
                shown = table.get(organisatie=org, wijk=wijk, categorie=cat)
                if not shown.hidden:
                    attack.publish([k for k in atoms if (org is None or k[0] == org)
                                    and (wijk is None or k[1] == wijk) and (cat is None or k[2] == cat)],
                                   shown.value)
    targets = boxes([(1, 2, 3), (10, 11), ("a", "b")], list(atoms), single=(1, 2))
    for attacker in (None, 1, 2, 3):
        assert attack.derived_small(targets, attacker) == []


def test_sums_and_shares_only_from_visible_counts():
    assert sum_shown([Shown(4), Shown(8)]) == Shown(12)
    assert sum_shown([Shown(20), Shown(None, State.PRIMARY)]).text == "×"
    assert share(Shown(3), Shown(12)) == 0.25
    assert share(Shown(3), Shown(8)) is None  # denominator below 10 outside the organisation
    assert share(Shown(3), Shown(8), protected=False) == 3 / 8
    assert share(Shown(None, State.PRIMARY), Shown(40)) is None


def test_groups_of_judgements_under_five_and_the_pooled_figure():
    states, pooled = protect_groups([3, 12, 20])
    assert states[0] == State.PRIMARY and states[1] == State.SECONDARY and pooled == State.VISIBLE
    states, pooled = protect_groups([3, 1])
    assert pooled == State.PRIMARY  # four judgements in all: nothing to show
