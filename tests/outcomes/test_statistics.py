"""Wilson intervals against published values, and the suppression of outcome cells."""

import pytest

from monitor.qim.outcomes.reports import suppress_outcomes, wilson_interval


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


def test_no_suppression_inside_the_organisation():
    cells = suppress_outcomes([(1, 3), (2, 2)], suppress=False)
    assert [(c.n_text, c.improved_text) for c in cells] == [("3", "1"), ("2", "2")]
    assert cells[0].share == pytest.approx(1 / 3)


def test_a_single_small_group_is_hidden():
    (cell,) = suppress_outcomes([(3, 4)], suppress=True)
    assert (cell.n_text, cell.improved_text, cell.share) == ("<5", "<5", None)
    assert cell.verdict == "te weinig metingen"


def test_small_improved_count_hides_its_complement_in_row_and_column():
    # Group 1: 2 of 12 improved (2 < 5). Its "not improved" (10) would give it back from n,
    # and the column total of "improved" would give it back from group 3 unless one
    # more group's improved count goes too: the smallest visible one, group 2 (8).
    cells = suppress_outcomes([(2, 12), (8, 20), (10, 15)], suppress=True)
    assert [c.n_text for c in cells] == ["12", "20", "15"]
    assert [c.improved_text for c in cells] == ["<5", "<5", "10"]
    assert [c.share for c in cells][:2] == [None, None]
    assert cells[2].share == pytest.approx(10 / 15)
    assert cells[1].note == "afgeschermd"


def test_small_group_size_hides_a_second_group_size():
    # Group 1 has n = 3: with the total shown, group 2's n (smallest other) goes too,
    # and with it group 2's improved / not-improved split (n = k + r).
    cells = suppress_outcomes([(0, 3), (6, 12), (7, 14)], suppress=True)
    assert [c.n_text for c in cells] == ["<5", "<5", "14"]
    assert [c.improved_text for c in cells] == ["<5", "<5", "7"]
    assert cells[2].share == pytest.approx(0.5)


def test_share_needs_ten_outside_the_organisation():
    (cell,) = suppress_outcomes([(5, 9)], suppress=True)
    assert cell.n_text == "9"
    assert cell.share is None and cell.verdict == "te weinig metingen"
    (cell,) = suppress_outcomes([(5, 10)], suppress=True)
    assert cell.share == 0.5 and cell.target_met is True
