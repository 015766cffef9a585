"""Reading factor -> items from lavaan syntax (the core's parser, or the local `=~` reader)."""
import pytest

from alianza.errors import ModelSyntaxError
from alianza.validity import structure

MODEL = """# three factors
visual  =~ x1 + 0.5*x2 +
           x3          ! continued on the next line
textual =~ x4
         + a*x5 + start(.3)*x6; speed =~ x7 + x8 + x9
visual ~~ textual
speed ~ visual
"""
EXPECTED = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


def test_local_reader():
    assert structure._local_factor_items(MODEL) == EXPECTED


def test_core_and_local_reader_agree():
    if structure._core_parser() is None:
        pytest.skip("SEM core parser not importable")
    assert structure.factor_items(MODEL) == structure._local_factor_items(MODEL) == EXPECTED


def test_higher_order_factor_left_out():
    text = MODEL + "g =~ visual + textual + speed\n"
    assert structure.factor_items(text)["g"] == ["visual", "textual", "speed"]
    assert structure.observed_factor_items(text) == EXPECTED


@pytest.mark.parametrize("reader", [structure._local_factor_items, structure.factor_items])
def test_no_measurement_statement(reader):
    with pytest.raises(ModelSyntaxError):
        reader("y ~ x\n")


def test_bad_indicator_names_the_line():
    with pytest.raises(ModelSyntaxError) as err:
        structure._local_factor_items("f =~ a + b\ng =~ c + 2x\n")
    assert err.value.row == 2
