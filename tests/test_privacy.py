"""Small-cell suppression: no hidden count can be recovered by subtraction."""

from monitor.privacy import share, suppress_group, suppress_table


def shown(cells):
    return [str(c) for c in cells]


def test_counts_below_five_are_hidden():
    assert shown(suppress_group([12, 3, 40, 7], total_shown=False)) == ["12", "<5", "40", "7"]


def test_single_hidden_cell_takes_the_smallest_other_with_it_when_total_shown():
    cells = suppress_group([12, 3, 40, 7], total_shown=True)
    assert shown(cells) == ["12", "<5", "40", "<5"]
    # The total (62) minus the visible cells leaves 10: two unknowns, not one.
    visible = sum(c.value for c in cells if not c.suppressed)
    assert 62 - visible == 10 and sum(c.suppressed for c in cells) == 2


def test_two_small_cells_need_no_extra_suppression():
    assert shown(suppress_group([2, 3, 40])) == ["<5", "<5", "40"]


def test_no_data_is_not_a_small_count():
    assert shown(suppress_group([None, 20, 30])) == ["None", "20", "30"]


def test_table_suppression_holds_for_rows_and_columns():
    rows = [[10, 2, 30], [20, 25, 40], [15, 30, 8]]
    cells = suppress_table(rows)
    for line in cells + [list(col) for col in zip(*cells, strict=True)]:
        assert sum(c.suppressed for c in line) != 1, shown(line)
    assert cells[0][1].suppressed


def test_shares_need_a_denominator_of_ten_outside_the_organisation():
    assert share(3, 4, suppress=True) is None
    assert share(3, 4, suppress=False) == 0.75
    assert share(5, 10, suppress=True) == 0.5
    assert share(1, 0, suppress=False) is None
