"""The XS allowance (core `quota`): one computation for the merge's sheet, the merge command's
summary lines and the server's decisions page."""
from workbook_templates.quota import GROUPS, TYPE_ROWS, allowances


def _by_key(rows):
    return {r.key: r for r in rows}


def test_groups_follow_the_rows_of_the_parents_bieu_2():
    kids = [("DB_CS", "XS", True), ("DB_CS", "TOT", True), ("CB_CS", "TOT", False),
            ("CB_TT", "HT", True), ("DB_BP", None, True)]
    rows = allowances(kids, 20, "tot")
    assert [r.key for r in rows] == ["TCCSD", "DBCS", "CBCS", "DBBP", "CBTT"]
    q = _by_key(rows)
    assert (q["TCCSD"].units, q["TCCSD"].xs, q["TCCSD"].tot, q["TCCSD"].undecided) == (3, 1, 2, 1)
    assert (q["DBBP"].units, q["DBBP"].xs, q["DBBP"].tot) == (1, 0, 0)   # not rated still listed
    # a child counts in the rows its type counts in on the summary, and only there
    for t, rows_of_t in TYPE_ROWS.items():
        assert {key for key, _, types in GROUPS if t in types} == set(rows_of_t)


def test_over_the_ceiling_says_how_many_to_move_down():
    # 3 XS with 5 TOT: at most floor(20 % x 5) = 1; moving 2 down leaves 1 XS with 7 TOT (max 1)
    q = allowances([("DB_CS", "XS", True)] * 3 + [("DB_CS", "TOT", True)] * 5, 20, "tot")[0]
    assert (q.ceiling, q.over, q.move, q.more) == (1, 2, 2, 0)
    assert q.message == ("Vượt hạn mức: 3 đơn vị Hoàn thành xuất sắc, tối đa 1 (20 % × 5 đơn vị "
                         "Hoàn thành tốt). Hãy chuyển ít nhất 2 đơn vị xuống Hoàn thành tốt.")
    assert q.to_dict()["message"] == q.message


def test_headroom_depends_on_the_base():
    ten_tot = [("CB_TT", "TOT", True)] * 10
    tot = allowances(ten_tot, 20, "tot")[0]
    # each move from TOT to XS also lowers a TOT-only base: 1 XS with 9 TOT (max 1) is the end
    assert (tot.ceiling, tot.more) == (2, 1)
    assert tot.message == ("Còn được xếp thêm 1 đơn vị Hoàn thành xuất sắc (đang có 0, tối đa 2 "
                           "= 20 % × 10 đơn vị Hoàn thành tốt).")
    both = allowances(ten_tot, 20, "tot_tro_len")[0]
    assert (both.ceiling, both.more) == (2, 2)
    assert allowances(ten_tot, 25, "tot")[0].more == 2       # the QD366 share where approved


def test_committees_of_tccsd_children_make_the_cucs_row():
    rows = allowances([("DB_CS", "TOT", True)] * 2, 20, "tot",
                      committees=[("XS", False), ("TOT", True), (None, True)])
    cucs = _by_key(rows)["CUCS"]
    assert (cucs.label, cucs.units, cucs.xs, cucs.undecided, cucs.over) == \
        ("Cấp ủy cơ sở", 2, 1, 1, 1)
    assert cucs.message.startswith("Vượt hạn mức")
    assert allowances([], 20, "tot") == []
