"""The pages write numbers the Vietnamese way, as the findings and the printed forms do."""
from __future__ import annotations

from server.web.filters import pct, vn_num


def test_vn_num_groups_thousands_with_dots():
    assert vn_num(1140) == "1.140"
    assert vn_num(1234567) == "1.234.567"
    assert vn_num(999) == "999"
    assert vn_num(-2500) == "-2.500"
    assert vn_num(1140.0) == "1.140"
    assert vn_num(1234.5) == "1.234,5"
    assert vn_num(None) == ""
    assert vn_num("Biểu 3") == "Biểu 3"
    assert pct(7, 12) == "58,33 %"
