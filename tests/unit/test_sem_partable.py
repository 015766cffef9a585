"""Parameter-table defaults of lavaan's sem()/cfa() (lavaanify) on small models.

The full row-by-row comparison with lavaan's parTable() is in
tests/parity/test_lavaan_fixtures.py; these pin the individual rules.
"""
import math

from alianza.sem import parse_model
from alianza.sem.spec.partable import build_partable


def table(text, **kw):
    t, names = build_partable(parse_model(text), **kw)
    return t.set_index(["lhs", "op", "rhs"]), names


def test_marker_and_default_variances_and_latent_covariances():
    t, names = table("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6")
    assert t.loc[("f", "=~", "x1"), "free"] == 0 and t.loc[("f", "=~", "x1"), "ustart"] == 1
    assert t.loc[("x3", "~~", "x3"), "free"] > 0 and t.loc[("x3", "~~", "x3"), "user"] == 0
    assert t.loc[("f", "~~", "g"), "free"] > 0          # auto.cov.lv.x
    assert names.lv == ["f", "g"] and names.ov == ["x1", "x2", "x3", "x4", "x5", "x6"]


def test_single_indicator_factor_fixes_the_residual_variance():
    t, _ = table("f =~ x1\ng =~ x2 + x3 + x4")
    assert t.loc[("x1", "~~", "x1"), "free"] == 0 and t.loc[("x1", "~~", "x1"), "ustart"] == 0


def test_fixed_x_and_random_x():
    t, names = table("y ~ x1 + x2")
    assert names.ov_x == ["x1", "x2"]
    assert t.loc[("x1", "~~", "x2"), "exo"] == 1 and t.loc[("x1", "~~", "x2"), "free"] == 0
    assert math.isnan(t.loc[("x1", "~~", "x2"), "ustart"])   # filled with the sample value
    t, names = table("y ~ x1 + x2\nx1 ~~ x1")                # a variance makes x1 random
    assert names.ov_x == ["x2"]
    assert t.loc[("x1", "~~", "x1"), "free"] > 0


def test_pure_outcomes_covary():
    t, _ = table("y1 ~ x\ny2 ~ x")
    assert t.loc[("y1", "~~", "y2"), "free"] > 0 and t.loc[("y1", "~~", "y2"), "user"] == 0


def test_intercepts_with_meanstructure():
    t, _ = table("f =~ x1 + x2 + x3", meanstructure=True)
    assert t.loc[("x1", "~1", ""), "free"] > 0
    assert t.loc[("f", "~1", ""), "free"] == 0 and t.loc[("f", "~1", ""), "ustart"] == 0


def test_shared_labels_share_one_parameter_and_covariances_are_reordered():
    t, _ = table("f =~ x1 + a*x2 + a*x3\nx3 ~~ x2")
    assert t.loc[("f", "=~", "x2"), "par"] == t.loc[("f", "=~", "x3"), "par"] >= 0
    assert ("x2", "~~", "x3") in t.index                     # lavaan's lhs/rhs order


def test_label_shared_with_a_fixed_parameter_fixes_all():
    t, _ = table("y ~ a*x1 + 1*x1\nz ~ a*x2")
    assert t.loc[("z", "~", "x2"), "free"] == 0 and t.loc[("z", "~", "x2"), "ustart"] == 1


def test_definitions_come_last():
    t, _ = table("y ~ a*x\nz ~ b*y\nab := a*b")
    assert t.index[-1] == ("ab", ":=", "a*b")
    assert t.iloc[-1]["label"] == "ab"
