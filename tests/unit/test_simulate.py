"""The simulator: reproducible, faithful to the population model (cheap recovery checks), and the bundled
waves in data/raw are exactly what it produces."""
import copy
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest
import yaml

from alianza.errors import ConfigError
from alianza.ingest import ingest_wave
from alianza.population import (
    category_probabilities,
    implied_item_correlation,
    latent_correlation,
    make_population,
    true_parameters,
)
from alianza.simulate import (
    added_rows,
    discretize,
    inject_defects,
    simulate_continuous,
    simulate_dataset,
    simulate_responses,
    simulate_wave,
)
from tests.unit.wave_helpers import CODEBOOK_PATH, POPULATION_PATH, ROOT, codebook, population

RAW = ROOT / "data" / "raw"


# ----------------------------------------------------------- reproducibility
def test_same_seed_same_data_other_seed_other_data():
    pop = population()
    a = simulate_responses(pop, 50, seed=3)
    b = simulate_responses(pop, 50, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_responses(pop, 50, seed=4)
    assert not a[codebook().items()].equals(c[codebook().items()])


def test_defects_do_not_change_the_answers():
    pop = population()
    clean = simulate_dataset(pop, 40, seed=9).data
    with_defects = simulate_dataset(pop, 40 + 2, seed=9, defects={"exact_duplicates": 2}).data
    # same 40 respondents (the spec adds 2 rows), in the same order once the copies are removed
    firsts = with_defects.drop_duplicates(subset="firm_id", keep="first").reset_index(drop=True)
    pd.testing.assert_frame_equal(firsts, clean.reset_index(drop=True))


def _xlsx_members(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("wave", ["wave1_hermosillo_synthetic", "wave2_sonora_synthetic"])
def test_bundled_waves_are_exactly_what_the_generator_produces(tmp_path, wave):
    path, _ = simulate_wave(population(), wave, tmp_path)
    bundled = RAW / path.name
    assert bundled.is_file(), f"{bundled} missing: run `alianza simulate --all-waves --outdir data/raw`"
    if path.suffix == ".xlsx":
        # what Excel reads is identical; the compressed bytes are too, given the same zlib build
        assert _xlsx_members(path) == _xlsx_members(bundled)
    else:
        assert path.read_bytes() == bundled.read_bytes()


def test_regenerating_a_wave_twice_gives_the_same_bytes(tmp_path):
    first, _ = simulate_wave(population(), "wave2_sonora_synthetic", tmp_path / "a")
    second, _ = simulate_wave(population(), "wave2_sonora_synthetic", tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


def test_bundled_waves_look_as_documented():
    w1 = RAW / "wave1_hermosillo_synthetic.csv"
    raw = w1.read_bytes()
    assert b"\r\n" in raw and "Antigüedad".encode("latin-1") in raw  # Latin-1, CRLF
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    df = pd.read_csv(w1, sep=";", encoding="latin-1", dtype=str)
    assert len(df) == 204
    assert set(df["Sector"]) == {"1"} and set(df["Municipio"]) == {"1"}
    assert df["Antigüedad"].str.contains(",").any()  # decimal comma
    w2 = pd.read_excel(RAW / "wave2_sonora_synthetic.xlsx", dtype=object)
    assert len(w2) == 350
    answers = {str(v) for c in codebook().items() for v in w2[c].dropna()}
    assert {"De acuerdo", "de acuerdo", "Totalmente de Acuerdo", "ni de acuerdo ni en desacuerdo", "NS/NC"} <= answers
    assert {s.casefold() for s in w2["sector"]} == {"comercio", "servicios", "manufactura"}
    assert len({str(m).casefold() for m in w2["municipio"]}) == 6
    readme = (RAW / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme
    assert all(p.name == "README.md" or "_synthetic." in p.name for p in RAW.iterdir())


# ------------------------------------------------- fidelity to the population
@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(2024)
    return simulate_continuous(population(), 20_000, rng)


def test_latent_correlations_follow_the_chain(big):
    eta, _ = big
    implied = latent_correlation(population())
    # theory: along a chain of standardized paths, corr(E1, CO) is the product of the betas
    assert implied.loc["E1", "CO"] == pytest.approx(0.55 * 0.50 * 0.60 * 0.45 * 0.40)
    assert np.allclose(np.diag(implied), 1.0)
    sample = eta.corr()
    assert np.abs(sample.to_numpy() - implied.loc[sample.index, sample.columns].to_numpy()).max() < 0.03
    assert np.abs(eta.var(ddof=0) - 1).max() < 0.04


def test_continuous_item_correlations_match_the_implied_matrix(big):
    _, ystar = big
    implied = implied_item_correlation(population())
    sample = ystar.corr()
    assert np.abs(sample.to_numpy() - implied.to_numpy()).max() < 0.03
    # theory: within a construct, corr = lambda_i * lambda_j
    pop = population()
    assert implied.loc["e2_1", "e2_3"] == pytest.approx(pop.loading("e2_1") * pop.loading("e2_3"))


def test_answer_proportions_follow_the_thresholds(big):
    _, ystar = big
    pop = population()
    cb = codebook()
    for item in ["e1_1", "e1_4", "e2_4", "co_2"]:
        var = cb.variable(item)
        y = ystar[item].to_numpy()
        answered = discretize(-y if var.reverse else y, pop.thresholds(item), [1, 2, 3, 4, 5])
        observed = np.bincount(answered, minlength=6)[1:] / len(answered)
        assert np.abs(observed - category_probabilities(pop, item)).max() < 0.015, item


def test_reverse_keyed_items_are_answered_against_the_construct():
    df = simulate_responses(population(), 3000, seed=1)[codebook().items()].astype(float)
    corr = df[codebook().items()].corr()
    for c in codebook().constructs:
        items = codebook().items(c)
        rev = [i for i in items if i in codebook().reverse_items][0]
        others = [i for i in items if i != rev]
        assert (corr.loc[rev, others] < -0.2).all(), c
        assert (corr.loc[others[0], others[1:]] > 0.3).all(), c


def test_true_parameter_table_in_lavaan_currency():
    pop = population()
    table = true_parameters(pop)
    assert list(table.columns) == ["lhs", "op", "rhs", "est", "std_all"]
    loadings = table[table.op == "=~"]
    assert len(loadings) == 24 and set(loadings.lhs) == set(codebook().constructs)
    assert loadings.set_index("rhs").loc["e3_1", "est"] == 0.83
    paths = table[table.op == "~"].set_index(["lhs", "rhs"])["est"]
    assert paths[("E2", "E1")] == 0.55 and paths[("CO", "E5")] == 0.40
    resid = table[(table.op == "~~") & (table.lhs == "e3_1")]["est"].iloc[0]
    assert resid == pytest.approx(1 - 0.83 ** 2)
    psi = table[(table.op == "~~") & (table.lhs == "E3")]["est"].iloc[0]
    assert psi == pytest.approx(1 - 0.50 ** 2)


# --------------------------------------------------------------- defects
def test_defect_injection_hits_distinct_rows_and_keeps_n():
    pop = population()
    spec = pop.waves["wave1_hermosillo_synthetic"]["defects"]
    out = simulate_dataset(pop, 204, 1, defects=spec, id_prefix="HMO")
    assert len(out.data) == 204 and added_rows(spec) == 2
    log = out.log
    row_level = log[log.defect != "missing_code"]
    assert row_level.groupby("source_row")["defect"].nunique().max() == 1
    assert (log.defect == "out_of_range").sum() == 3
    assert set(log.loc[log.defect == "out_of_range", "value"]) == {6, 0, 55}
    assert (log.defect == "missing_code").sum() == 8
    assert set(log.loc[log.defect == "missing_code", "source_row"]).isdisjoint(row_level.source_row)
    dup = log[log.defect == "exact_duplicate"].iloc[0]
    copies = out.data[out.data.firm_id == dup.firm_id]
    assert len(copies) == 2 and copies.iloc[0].tolist() == copies.iloc[1].tolist()


def test_too_many_defects_for_the_rows_is_an_error():
    from alianza.errors import InputError

    clean = simulate_responses(population(), 3, seed=1)
    with pytest.raises(InputError, match="defective rows asked for but only 3"):
        inject_defects(clean, {"straight_liners": {"count": 4, "values": [4]}}, 1, codebook())


# ------------------------------------------------------------ bad populations
@pytest.fixture(scope="module")
def pop_raw():
    return yaml.safe_load(POPULATION_PATH.read_text(encoding="utf-8"))


def _edit(raw, fn):
    d = copy.deepcopy(raw)
    fn(d)
    return d


POP_CASES = [
    (lambda d: d["loadings"].pop("e4_3"), "key loadings: no loading for codebook item 'e4_3'"),
    (lambda d: d["loadings"].update(e4_3=1.2), "key loadings.e4_3: standardized loading 1.2 must be in (0, 1)"),
    (lambda d: d["loadings"].update(x_9=0.5), "key loadings.x_9: 'x_9' is not an item of the codebook"),
    (lambda d: d["thresholds"].update(default=[0.5, -0.5, 1.0, 2.0]), "key thresholds.default: need 4 increasing"),
    (lambda d: d["structural"]["paths"][0].update(to="E9"), "key structural.paths[0].to: 'E9' is not a construct"),
    (lambda d: d["structural"]["paths"].append({"from": "CO", "to": "E1", "beta": 0.2}), "form a cycle"),
    (lambda d: d["context"]["sector"]["probabilities"].update(comercio=0.9), "probabilities sum to 1.4"),
    (lambda d: d["context"]["sector"]["probabilities"].update(agricultura=0.0),
     "key context.sector.probabilities.agricultura: 'agricultura' is not a value of 'sector'"),
    (lambda d: d["waves"]["wave1_hermosillo_synthetic"].update(file="ola.csv"),
     "key waves.wave1_hermosillo_synthetic.file: the file name must be the wave id"),
    (lambda d: d["waves"]["wave1_hermosillo_synthetic"]["defects"]["failed_attention"].update(values=[2]),
     "values must be codes of the attention scale other than 2"),
    (lambda d: d["waves"]["wave2_sonora_synthetic"]["defects"]["out_of_range"].update(values=[3]),
     "values must be integers outside the scale and the missing codes"),
]


@pytest.mark.parametrize("fn, expected", POP_CASES)
def test_population_errors_name_the_key(pop_raw, fn, expected):
    with pytest.raises(ConfigError) as info:
        make_population(_edit(pop_raw, fn), codebook(), source="config/population.yaml")
    line = info.value.oneline()
    assert line.startswith("file config/population.yaml, key ")
    assert expected in line


# --------------------------------------------------------------------- CLI
def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "alianza.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("name, labels", [("s.csv", False), ("s.xlsx", True), ("s.sav", False), ("s.dta", False),
                                          ("s.parquet", True)])
def test_cli_out_writes_a_wave_that_ingests(tmp_path, name, labels):
    out = tmp_path / name
    args = ["simulate", "--population", POPULATION_PATH, "--codebook", CODEBOOK_PATH, "--n", 40, "--seed", 5,
            "--out", out, "--defects", "--log", tmp_path / "log.csv", "--truth", tmp_path / "truth.csv"]
    proc = _cli(*args, *(["--labels"] if labels else []))
    assert proc.returncode == 0, proc.stderr
    assert "SYNTHETIC" in proc.stdout
    result = ingest_wave(out, codebook())
    s = result.summary
    assert s["rows_in"] == 40 == s["rows_kept"] + s["rows_quarantined"]
    # population.yaml's default defects: 1 + 2 + 2 + 1 + 1 + 1 rows
    assert s["rows_quarantined"] == 8
    assert len(pd.read_csv(tmp_path / "log.csv")) > 0
    assert len(pd.read_csv(tmp_path / "truth.csv")) == len(true_parameters(population()))


def test_cli_wave_regenerates_the_bundled_file(tmp_path):
    proc = _cli("simulate", "--population", POPULATION_PATH, "--codebook", CODEBOOK_PATH,
                "--wave", "wave1_hermosillo_synthetic", "--outdir", tmp_path)
    assert proc.returncode == 0, proc.stderr
    name = "wave1_hermosillo_synthetic.csv"
    assert (tmp_path / name).read_bytes() == (RAW / name).read_bytes()


def test_cli_errors_are_one_line(tmp_path):
    proc = _cli("simulate", "--population", POPULATION_PATH, "--codebook", CODEBOOK_PATH, "--wave", "ola9",
                "--outdir", tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        f"alianza simulate: error: file {POPULATION_PATH}: no wave 'ola9' in the population file "
        "(waves: wave1_hermosillo_synthetic, wave2_sonora_synthetic)"
    )
    proc = _cli("simulate", "--population", POPULATION_PATH, "--codebook", CODEBOOK_PATH, "--out", tmp_path / "x.csv")
    assert proc.returncode == 2 and "--out needs --n" in proc.stderr
