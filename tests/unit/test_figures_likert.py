"""Likert response bars from processed data (tests/fixtures/waves/pooled.csv): the shares drawn are
the answers' proportions, reverse-keyed items are shown as answered, the files are valid images."""
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from PIL import Image

from alianza.figures.likert import likert_figure, response_shares
from tests.conftest import FIXTURES
from tests.unit.tables_helpers import codebook


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(FIXTURES / "waves" / "pooled.csv")


def test_shares_are_proportions_of_the_answers_given(data):
    shares = response_shares(data, ["e1_1", "e5_1"], [1, 2, 3, 4, 5])
    for item in ("e1_1", "e5_1"):
        x = data[item].dropna()
        assert shares.loc[item].tolist() == pytest.approx([100 * (x == c).mean() for c in range(1, 6)])
        assert shares.loc[item].sum() == pytest.approx(100)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_likert_figure(tmp_path, data, lang):
    png, svg = tmp_path / "l.png", tmp_path / "l.svg"
    shares = likert_figure(data, codebook(), "E1", lang, [png, svg])
    # e1_4 is reverse-keyed: processed data hold 6 - answer, the figure shows the answer
    answered = 6 - data["e1_4"].dropna()
    assert shares.loc["e1_4"].tolist() == pytest.approx([100 * (answered == c).mean() for c in range(1, 6)])
    with Image.open(png) as im:
        assert im.format == "PNG" and 1500 < im.width < 4000 and 500 < im.height < 4000
    text = re.sub(r"\s+", " ", " ".join(el.text or "" for el in ET.parse(svg).iter() if el.tag.endswith("text")))
    for item in codebook().items("E1"):
        assert f"{item}." in text
    for code in range(1, 6):
        label = codebook().code_label("e1_1", code, lang)
        assert all(word in text for word in label.split())
    assert codebook().construct_label("E1", lang) in text
    assert {"es": "(I) Ítem inverso", "en": "(R) Reverse-keyed"}[lang] in text
