"""The path diagram of the example data (lavaan's estimates of the five-stage model on the pooled waves):
a valid image, every construct labelled in the chosen language, standardized estimates with stars,
and nothing drawn on top of a construct."""
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from alianza.figures.path_diagram import NODE_H, NODE_W, layout, path_diagram, structural_graph
from alianza.tables.apa import fmt_bounded, stars
from tests.unit.tables_helpers import apa, codebook, lavaan_model


def _svg_text(path) -> str:
    texts = [el.text or "" for el in ET.parse(path).iter() if el.tag.endswith("text") or el.tag.endswith("tspan")]
    return re.sub(r"\s+", " ", " ".join(texts))


def _inside(point, center) -> bool:
    return ((point[0] - center[0]) / (NODE_W / 2)) ** 2 + ((point[1] - center[1]) / (NODE_H / 2)) ** 2 < 1


@pytest.mark.parametrize("lang", ["es", "en"])
def test_five_stage_diagram(tmp_path, lang):
    model = lavaan_model("pooled_five_stage")
    png, svg = tmp_path / "p.png", tmp_path / "p.svg"
    drawn = path_diagram(model, codebook(), lang, [png, svg])
    with Image.open(png) as im:
        im.verify()
    with Image.open(png) as im:
        assert im.format == "PNG" and 1500 < im.width < 4000 and 600 < im.height < 2500
        assert sum(1 for h in im.convert("L").histogram() if h) > 10  # not blank
    text = _svg_text(svg).replace("\u00a0", " ")
    for c in codebook().constructs:  # every construct by its name in the language, and its code
        assert codebook().construct_label(c, lang) in text and f"({c})" in text
    paths = [p for p in model["parameters"] if p["op"] == "~"]
    assert len(drawn["edges"]) == len(paths) == 5
    for p in paths:
        label = apa(p["std_all"], leading_zero=False) + stars(p["pvalue"])
        assert label in text
    for c, v in model["r2"].items():
        if c in codebook().constructs and c != "E1":
            assert f"R ² = {fmt_bounded(v)}" in text  # an italic R run, then '² = ...'
    italic = [el.text for el in ET.parse(svg).iter() if el.tag.endswith("text") and "italic" in el.get("style", "")]
    assert italic.count("R") == len([c for c in model["r2"] if c in codebook().constructs and c != "E1"])
    assert italic.count("p") >= 4  # the fit line and the three probability levels
    # the serial effect is named as an indirect effect, with its whole route
    word = {"es": "Efecto indirecto H6", "en": "Indirect effect H6"}[lang]
    assert f"{word} (E1 → E2 → E3 → E4 → E5 → CO)" in text
    fit = model["fit"]
    assert f"χ²({int(fit['df'])}) = {apa(fit['chisq'], 2)}" in text
    assert f"CFI = {apa(fit['cfi'], 3, leading_zero=False)}" in text
    assert f"RMSEA = {apa(fit['rmsea'], 3, leading_zero=False)} [" in text


@pytest.mark.parametrize("key", ["pooled_five_stage", "pooled_partial_mediation", "pooled_no_chain"])
def test_nothing_overlaps_a_construct(tmp_path, key):
    drawn = path_diagram(lavaan_model(key), codebook(), "es", [tmp_path / "p.svg"])
    pos = drawn["positions"]
    for a, b in itertools.combinations(pos, 2):  # ellipses apart (bounding boxes do not intersect)
        dx, dy = abs(pos[a][0] - pos[b][0]), abs(pos[a][1] - pos[b][1])
        assert dx >= NODE_W or dy >= NODE_H, (a, b)
    for _, _, _, xy in drawn["edges"]:  # coefficient labels sit off every construct and off each other
        assert not any(_inside(xy, c) for c in pos.values())
    for (_, _, _, p), (_, _, _, q) in itertools.combinations(drawn["edges"], 2):
        assert abs(p[0] - q[0]) > 0.4 or abs(p[1] - q[1]) > 0.2


def test_graph_reads_structural_paths_only():
    nodes, edges, r2 = structural_graph(lavaan_model("pooled_partial_mediation"))
    assert nodes == ["E1", "E2", "E3", "E4", "E5", "CO"]
    assert sorted((e.source, e.target) for e in edges if e.target == "CO") == [
        ("E1", "CO"), ("E2", "CO"), ("E3", "CO"), ("E4", "CO"), ("E5", "CO")]
    assert "E1" not in r2 and set(r2) == {"E2", "E3", "E4", "E5", "CO"}
    pos = layout(nodes, edges)
    assert pos["CO"][1] < min(pos[n][1] for n in nodes if n != "CO")  # the outcome under the arch of stages
    with pytest.raises(ValueError):
        path_diagram(lavaan_model("pooled_measurement"), codebook(), "es", [])
