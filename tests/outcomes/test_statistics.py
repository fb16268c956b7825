"""Wilson intervals against published values, and the suppression of outcome cells."""

import pytest

from monitor.disclosure import Dim, protect
from monitor.outcomes.reports import outsider_cell, protected_cell, suppress_outcomes, wilson_interval


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson score).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    # The example: 3 out of 4 is no triumph.
    (3, 4, 0.3006, 0.9544),
])
def test_wilson_interval_matches_published_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_interval_edges():
    assert wilson_interval(0, 0) is None
    lo, hi = wilson_interval(10, 10)
    assert hi == pytest.approx(1.0) and lo == pytest.approx(0.7225, abs=5e-5)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def protected(pairs):
    """The cells an outsider sees for one group per organisation (improved, n), and the total."""
    atoms = {}
    for org, (k, n) in enumerate(pairs, start=1):
        atoms[(org, 1, 1, 1, "vooruit")] = k
        atoms[(org, 1, 1, 1, "niet_vooruit")] = n - k
    dims = (Dim("organisatie", tuple(range(1, len(pairs) + 1)), owner=True), Dim("wijk", (1,)),
            Dim("dienst", (1,)), Dim("tertiaal", (1, 2, 3)), Dim("uitkomst", ("vooruit", "niet_vooruit")))
    table = protect(dims, atoms, outsider_cell)
    rows = [protected_cell(table, organisatie=org, tertiaal=1) for org in range(1, len(pairs) + 1)]
    return rows, protected_cell(table, tertiaal=1)


def test_no_suppression_inside_the_organisation():
    cells = suppress_outcomes([(1, 3), (2, 2)], suppress=False)
    assert [(c.n_text, c.improved_text) for c in cells] == [("3", "1"), ("2", "2")]
    assert cells[0].share == pytest.approx(1 / 3)


def test_a_single_small_group_is_hidden():
    (cell,), total = protected([(3, 4)])
    assert (cell.n_text, cell.improved_text, cell.share) == ("<5", "<5", None)
    assert cell.verdict == "afgeschermd" and total.n_text == "<5"


def test_small_improved_count_is_hidden_with_its_complements_marked_differently():
    # Organisation 1: 2 of 12 improved (2 < 5). Its "not improved" (10) would give it back
    # from n, and the total of "improved" would give it back from the others.
    cells, total = protected([(2, 12), (8, 20), (10, 15)])
    assert cells[0].improved_text == "<5" and cells[0].share is None
    # what hides it in turn is marked x, never as a false "<5"
    assert all(c.improved_text in ("×", "<5") or int(c.improved_text) >= 5 for c in cells)
    assert any(c.improved_text == "×" or c.n_text == "×" for c in cells + [total])
    assert "2" not in [c.improved_text for c in cells + [total]]


def test_small_group_size_is_hidden_and_not_derivable_from_the_total():
    cells, total = protected([(0, 3), (6, 12), (7, 14)])
    assert cells[0].n_text == "<5"
    visible = [int(c.n_text) for c in cells if c.n_text.isdigit()]
    # the total minus the visible groups leaves more than one hidden group (or the total is hidden)
    assert not total.n_text.isdigit() or len(visible) <= len(cells) - 2


def test_share_needs_ten_outside_the_organisation():
    (cell,), _ = protected([(5, 9)])
    # n = 9 always splits into a part below 5: the split is hidden, n itself may show
    assert cell.n_text == "9"
    assert cell.share is None and cell.verdict in ("te weinig metingen", "afgeschermd")
    (cell,), _ = protected([(5, 10)])
    assert cell.share == 0.5 and cell.target_met is True
