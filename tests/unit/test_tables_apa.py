"""APA 7 number formats and the table model (expected strings from the APA 7 rules themselves)."""
import pandas as pd
import pytest

from alianza.tables.apa import (DASH, GROUP, MINUS, ApaTable, Column, fmt_bounded, fmt_ci, fmt_int, fmt_num, fmt_p,
                                fmt_p_text, plain, split_markup, stars, wrap_words)


def test_leading_zero_only_for_statistics_that_can_exceed_one():
    assert fmt_num(0.456) == "0.46"
    assert fmt_bounded(0.456) == ".46"
    assert fmt_bounded(-0.456) == MINUS + ".46"
    assert fmt_bounded(1.0, 3) == "1.000"


def test_values_that_round_to_zero_lose_their_sign():
    assert fmt_num(-0.001) == "0.00"
    assert fmt_bounded(-0.0004, 3) == ".000"
    assert fmt_num(-0.006) == MINUS + "0.01"


def test_p_values_three_decimals_and_below_001():
    assert fmt_p(0.0456) == ".046"
    assert fmt_p(0.0004) == "< .001"
    assert fmt_p(0.0) == "< .001"
    assert fmt_p(0.001) == ".001"
    assert fmt_p(0.7778) == ".778"
    assert fmt_p(None) == DASH
    assert fmt_p_text(0.0456) == "= .046"
    assert fmt_p_text(1e-9) == "< .001"


def test_significance_stars_are_strict_thresholds():
    assert stars(0.05) == ""
    assert stars(0.0499) == "*"
    assert stars(0.01) == "*"
    assert stars(0.0099) == "**"
    assert stars(0.001) == "**"
    assert stars(0.0009) == "***"
    assert stars(None) == ""


def test_thousands_separator_and_missing_cells():
    assert fmt_num(32121.4368) == "32,121.44"
    assert fmt_num(32121.4368, thousands=False) == "32121.44"
    assert fmt_int(1234) == "1,234"
    assert fmt_int(1234, thousands=False) == "1234"
    assert fmt_num(float("nan")) == DASH
    assert fmt_num(pd.NA) == DASH
    assert fmt_ci(0.359, 0.618) == "[0.36, 0.62]"
    assert fmt_ci(-0.2, 0.1, leading_zero=False) == f"[{MINUS}.20, .10]"
    assert fmt_ci(None, 0.1) == DASH


def test_markup_runs():
    runs = split_markup("<i>M</i> (<i>SD</i>) <b>x</b><sub>it</sub>")
    assert [(r.text, r.italic, r.sub, r.bold) for r in runs] == [
        ("M", True, False, False), (" (", False, False, False), ("SD", True, False, False),
        (") ", False, False, False), ("x", False, False, True), ("it", False, True, False)]
    assert plain("<i>r</i><sub>it</sub>") == "rit"


def test_wrap_words_breaks_at_spaces_and_after_underscores():
    assert wrap_words("wave1_hermosillo_synthetic", 0.0) == ["wave1_", "hermosillo_", "synthetic"]
    assert wrap_words("a b", 10.0) == ["a b"]


def _table(**kw):
    body = pd.DataFrame({GROUP: ["G1", "G1", "G2"], "x": ["a", "b", "c"], "est": [0.123456789012345, -2.5, None],
                         "p": [0.0001, 0.2, 0.03], "lo": [0.1, -3.0, None], "hi": [0.2, -2.0, None]})
    cols = [Column("x", "Item", kind="text"), Column("est", "β", kind="bounded", stars_from="p"),
            Column("p", "<i>p</i>", kind="p"), Column(("lo", "hi"), "95% CI", kind="ci")]
    return ApaTable(name="t", title="T", columns=cols, body=body, lang="en", **kw)


def test_rows_put_group_headings_and_format_cells():
    rows = _table().rows()
    assert rows[0] == ("group", "G1")
    assert rows[1] == ("row", ["a", ".12***", "< .001", "[0.10, 0.20]"])
    assert rows[2] == ("row", ["b", MINUS + "2.50", ".200", f"[{MINUS}3.00, {MINUS}2.00]"])
    assert rows[3] == ("group", "G2")
    assert rows[4] == ("row", ["c", DASH, ".030", DASH])
    assert _table(number=3).label == "Table 3"


def test_csv_keeps_full_precision_and_plain_headers():
    csv = _table().csv_frame()
    assert list(csv.columns) == ["group", "Item", "β", "p", "95% CI lower", "95% CI upper"]
    assert csv["β"].iloc[0] == 0.123456789012345


def test_column_contracts():
    with pytest.raises(ValueError):
        Column("a", "A", kind="ci")
    with pytest.raises(ValueError):
        Column(("a", "b"), "A", kind="num")
    with pytest.raises(ValueError):
        Column("a", "A", kind="percentish")
    with pytest.raises(KeyError):
        ApaTable(name="t", title="T", columns=[Column("zz", "Z")], body=pd.DataFrame({"a": [1]}), lang="en")
