"""lavaan model syntax parser: every operator, modifiers, `:=`, comments, error lines."""
import pytest

from alianza.errors import ModelSyntaxError
from alianza.sem import parse_model


def _rows(text):
    return [(f.lhs, f.op, f.rhs) for f in parse_model(text).formulas]


def test_operators_and_several_rhs_terms():
    m = parse_model("f =~ x1 + x2 + x3\ny ~ f + x4\nx1 ~~ x2\ny ~ 1\nd := 2")
    assert [(f.lhs, f.op, f.rhs) for f in m.formulas] == [
        ("f", "=~", "x1"), ("f", "=~", "x2"), ("f", "=~", "x3"),
        ("y", "~", "f"), ("y", "~", "x4"), ("x1", "~~", "x2"), ("y", "~1", "")]
    assert m.meanstructure_requested
    assert [(d.name, d.expr) for d in m.definitions] == [("d", "2")]


def test_intercept_mixed_with_regressors_and_zero_intercept():
    m = parse_model("y ~ 1 + x\nz ~ 0")
    assert [(f.lhs, f.op, f.rhs) for f in m.formulas] == [("y", "~1", ""), ("y", "~", "x"), ("z", "~1", "")]
    assert m.formulas[2].fixed == [0.0]


def test_several_lhs_variables():
    assert _rows("y1 + y2 ~ x") == [("y1", "~", "x"), ("y2", "~", "x")]


def test_labels_fixed_values_and_na():
    m = parse_model("f =~ NA*x1 + 1*x2 + a*x3 + 0.5*x4 + -2e-1*x5\nf ~~ 1*f")
    mods = {f.rhs: (f.fixed, f.label) for f in m.formulas}
    assert mods["x1"] == ([None], None)           # NA frees the marker
    assert mods["x2"] == ([1.0], None)
    assert mods["x3"] == (None, ["a"])
    assert mods["x4"] == ([0.5], None)
    assert mods["x5"] == ([-0.2], None)
    assert mods["f"] == ([1.0], None)


def test_modifier_functions_and_merging():
    m = parse_model('y ~ start(0.5)*x1 + label("b")*x2 + equal("b")*x3 + a*x4 + start(1)*x4 + c(g1)*x5')
    f = {x.rhs: x for x in m.formulas}
    assert f["x1"].start == [0.5] and f["x1"].label is None
    assert f["x2"].label == ["b"] and f["x3"].label == ["b"]
    assert f["x4"].label == ["a"] and f["x4"].start == [1.0]   # same variable twice: modifiers merged
    assert f["x5"].label == ["g1"]
    assert [x.rhs for x in m.formulas] == ["x1", "x2", "x3", "x4", "x5"]


def test_comments_semicolons_and_continuation_lines():
    text = """# a comment line
    visual =~ x1 + x2 +   # trailing comment
              x3
    textual =~ x4 + x5 + x6 ! lavaan also accepts '!'
    a ~~ b; c ~~ d
    """
    assert _rows(text) == [("visual", "=~", "x1"), ("visual", "=~", "x2"), ("visual", "=~", "x3"),
                           ("textual", "=~", "x4"), ("textual", "=~", "x5"), ("textual", "=~", "x6"),
                           ("a", "~~", "b"), ("c", "~~", "d")]
    assert [f.line for f in parse_model(text).formulas][:3] == [2, 2, 2]


def test_defined_parameters_read_labels_and_earlier_definitions():
    m = parse_model("y ~ a*x + c*w\nx ~ b*w\nind := a*b\ntotal := c + ind\nr := (a*b)^2 / sqrt(c)")
    assert [(d.name, d.expr, d.labels) for d in m.definitions] == [
        ("ind", "a*b", ["a", "b"]), ("total", "c+ind", ["c", "ind"]), ("r", "(a*b)^2/sqrt(c)", ["a", "b", "c"])]


@pytest.mark.parametrize("text, line", [
    ("f =~ x1 + x2\ny ~ f +\n\nz ~~ w", 2),          # a trailing '+' before the next formula
    ("f =~ x1 + x2\n\nz ~~ ", 3),                     # ~~ without a right-hand side
    ("f =~ x1 + x2\n\n  + x3 =~ x4", 3),             # formula starting with '+'
    ("f =~ x1 + x2\ny ~ 2*3*x", 2),                  # two fixed values
    ("f =~ x1 + x2\nf =~ x2", 2),                    # duplicate element
    ("a ~~ b\nb ~~ a", 2),                           # the same covariance twice
    ("f =~ x1\nind := a*b", 2),                      # unknown labels in a definition
    ("f =~ x1\ny ~ foo(1)*x", 2),                    # unknown modifier
    ("f =~ x1\n1x ~ y", 2),                          # invalid name
    ("f =~ x1\nf =~ f", 2),                          # measured by itself
    ("f =~ x1\nx1 | t1", 2),                         # thresholds: not supported yet
    ("f =~ x1\na == b", 2),                          # explicit constraints: not supported yet
    ("just words\nf =~ x", 1),                       # no operator before the first formula
    ("f =~ x1\nd := a +* b", 2),                     # unparsable expression
    ("f =~ x1\ny ~ 1*1*x", 2),                       # fixed value given twice
])
def test_errors_name_the_line(text, line):
    with pytest.raises(ModelSyntaxError) as err:
        parse_model(text)
    assert err.value.row == line
    assert f"line {line}" in err.value.oneline()


def test_empty_model():
    with pytest.raises(ModelSyntaxError):
        parse_model("   \n# only a comment\n")
