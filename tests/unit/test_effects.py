"""Direct, specific indirect and total effects with bootstrap percentile and BCa intervals.

The serial effect E1 -> E2 -> E3 -> E4 -> E5 -> CO of the five-stage model is also lavaan's `:=`
parameter H6 := h1*h2*h3*h4*h5, whose bootstrap SE, percentile and BCa intervals
alianza.sem.inference.bootstrap computes (and tests against lavaan): the effect worked out from the paths must
give the same numbers from the same replicates. The decomposition is checked on small graphs whose
routes are written out by hand."""
import numpy as np
import pandas as pd
import pytest

from alianza.effects import decompose, effect_values, effects_report
from alianza.tables.effects import effects
from alianza.tables.writers import to_markdown
from tests.conftest import FIXTURES, ROOT
from tests.unit.tables_helpers import codebook


def test_decomposition_of_a_partial_mediation():
    paths = [("X", "M"), ("M", "Y"), ("X", "Y"), ("M", "N"), ("N", "Y")]
    got = [(e.source, e.kind, e.routes) for e in decompose(paths) if e.source == "X"]
    assert got == [("X", "direct", (("X", "Y"),)),
                   ("X", "indirect", (("X", "M", "Y"),)),
                   ("X", "indirect", (("X", "M", "N", "Y"),)),
                   ("X", "total_indirect", (("X", "M", "Y"), ("X", "M", "N", "Y"))),
                   ("X", "total", (("X", "M", "Y"), ("X", "M", "N", "Y"), ("X", "Y")))]
    coef = {("X", "M"): 0.5, ("M", "Y"): 0.4, ("X", "Y"): 0.1, ("M", "N"): 0.3, ("N", "Y"): 0.2}
    total = next(e for e in decompose(paths) if e.source == "X" and e.kind == "total")
    assert effect_values(total, coef) == pytest.approx(0.1 + 0.5 * 0.4 + 0.5 * 0.3 * 0.2)


def test_a_single_route_is_not_repeated_as_a_total():
    kinds = [(e.source, e.kind) for e in decompose([("A", "B"), ("B", "C")])]
    assert kinds == [("A", "indirect"), ("B", "direct")]


@pytest.fixture(scope="module")
def five_stage_boot():
    from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap
    from alianza.workflow import model_text

    data = pd.read_csv(FIXTURES / "waves" / "pooled.csv")
    text = model_text([ROOT / "config" / "models" / "measurement.lav", ROOT / "config" / "models" / "five_stage.lav"])
    boot = bootstrap(text, data, replicates=120, seed=7, bca=True, bollen_stine=False, workers=1)
    return boot, with_bootstrap(boot.fit, boot).params


def saved_report(boot, tmp_path, bca=True):
    """effects_report as the pipeline runs it: from the files the model's bootstrap wrote (JSON, parquet)."""
    import json

    from alianza.atomic import write_frame, write_json
    from alianza.sem.inference.bootstrap import with_bootstrap

    write_json(tmp_path / "fit.json", with_bootstrap(boot.fit, boot).to_dict())
    write_frame(tmp_path / "draws.parquet", boot.draws())
    write_frame(tmp_path / "jack.parquet", boot.jackknife_draws())
    jack = pd.read_parquet(tmp_path / "jack.parquet") if bca else None
    return effects_report(json.loads((tmp_path / "fit.json").read_text()), pd.read_parquet(tmp_path / "draws.parquet"),
                          jack, model="five_stage", sample="pooled")


def test_serial_effect_equals_the_defined_parameter_of_the_same_bootstrap(five_stage_boot, tmp_path):
    boot, params = five_stage_boot
    report = saved_report(boot, tmp_path)
    serial = next(e for e in report["effects"] if e["route"] == "E1 -> E2 -> E3 -> E4 -> E5 -> CO")
    h6 = params[params["op"] == ":="].iloc[0]
    for key in ("est", "se", "ci_lower", "ci_upper", "ci_lower_bca", "ci_upper_bca", "std_all"):
        assert serial[key] == pytest.approx(float(h6[key]), rel=1e-9, abs=1e-12), key
    direct = next(e for e in report["effects"] if e["kind"] == "direct")
    path = params[(params["op"] == "~") & (params["lhs"] == "CO")].iloc[0]
    assert direct["route"] == "E5 -> CO"
    assert direct["est"] == pytest.approx(float(path["est"])) and direct["ci_lower"] == pytest.approx(
        float(path["ci_lower"]))
    assert report["n"] == boot.fit.n and report["n_boot"] == 120


@pytest.mark.parametrize("lang", ["es", "en"])
def test_effects_table_labels_indirect_effects_and_shows_both_intervals(five_stage_boot, lang, tmp_path):
    boot, _ = five_stage_boot
    table = effects(saved_report(boot, tmp_path), codebook(), lang)
    md = to_markdown(table)
    word = {"es": "Indirecto", "en": "Indirect"}[lang]
    assert f"{word}: E1 → E2 → E3 → E4 → E5 → CO" in md
    assert "BCa" in md and {"es": "Percentil", "en": "Percentile"}[lang] in md
    rows = [c for k, c in table.rows() if k == "row"]
    assert all(len(r[1].split(".")[1].rstrip("*")) == 3 for r in rows)  # three decimals, as every indirect effect
    assert not np.isnan(table.body["ci_lower_bca"].astype(float)).any()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_defined_effects_table_shows_percentile_and_bca(five_stage_boot, lang):
    from alianza.hypotheses import effects_table
    from alianza.tables.structural import indirect_effects

    boot, params = five_stage_boot
    recs = effects_table(params, language="es", bootstrap=boot.block()).to_dict("records")
    table = indirect_effects({"n": boot.fit.n, "n_boot": 120, "seed": 7, "effects": recs}, codebook(), lang,
                             params=params.to_dict("records"))
    (row,) = [c for k, c in table.rows() if k == "row"]
    h6 = params[params["op"] == ":="].iloc[0]
    assert row[-2] == f"[{h6['ci_lower']:.3f}, {h6['ci_upper']:.3f}]"
    assert row[-1] == f"[{h6['ci_lower_bca']:.3f}, {h6['ci_upper_bca']:.3f}]"
    assert [c.header for c in table.columns][-1] == "BCa" and "BCa" in table.notes[0]


def test_without_the_leave_one_out_fits_there_is_no_bca(five_stage_boot, tmp_path):
    boot, _ = five_stage_boot
    report = saved_report(boot, tmp_path, bca=False)
    assert all(e["ci_lower_bca"] is None and e["ci_lower"] is not None for e in report["effects"])


def test_draws_that_do_not_match_the_fit_are_refused(five_stage_boot, tmp_path):
    boot, _ = five_stage_boot
    from alianza.sem.inference.bootstrap import with_bootstrap

    doc = with_bootstrap(boot.fit, boot).to_dict()
    from alianza.errors import InputError

    with pytest.raises(InputError, match="parameters"):
        effects_report(doc, boot.draws().iloc[:, :-3], None, model="five_stage", sample="pooled")


def test_wlsmv_effects_come_from_its_refits_and_say_why_there_is_no_bca(tmp_path):
    """Ordered items: the bootstrap refits rows by WLSMV (no jackknife there), and the effects table says
    BCa is not computed for that reason, not that it was not asked for."""
    from alianza.atomic import write_frame, write_json
    from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap

    data = pd.read_csv(FIXTURES / "shapes" / "bfi.csv").head(600)
    model = "A =~ A1 + A2 + A3\nC =~ C1 + C2 + C3\nE =~ E1 + E2 + E3\nC ~ A\nE ~ C + A"
    boot = bootstrap(model, data, replicates=6, seed=3, bca=True, bollen_stine=False, workers=1,
                     estimator="WLSMV", ordered="all")
    doc = with_bootstrap(boot.fit, boot).to_dict()
    assert "bca_not_computed" in doc["bootstrap"] and boot.jackknife is None
    write_frame(tmp_path / "j.parquet", boot.jackknife_draws())
    report = effects_report(doc, boot.draws(), pd.read_parquet(tmp_path / "j.parquet"), model="m", sample="s")
    write_json(tmp_path / "e.json", report)
    assert report["estimator"] == "WLSMV" and report["bca_not_computed"]
    serial = next(e for e in report["effects"] if e["route"] == "A -> C -> E")
    est = boot.fit.params.set_index(["lhs", "op", "rhs"])["est"]
    assert serial["est"] == pytest.approx(est[("C", "~", "A")] * est[("E", "~", "C")])
    assert serial["ci_lower"] < serial["est"] < serial["ci_upper"] and serial["ci_lower_bca"] is None
    for lang, words in (("es", "BCa solo se calcula con ML o MLR"), ("en", "BCa is computed only for ML or MLR")):
        tb = effects(report, codebook(), lang)
        assert words in tb.notes[0] and "WLSMV" in tb.notes[0]
