"""semopy 2.3.11 defects around incomplete and ordinal data, shown against lavaan 0.6.14
(so a semopy release that fixes them is noticed), next to alianza's matching numbers.

- FIML: semopy's chi-square is not measured against the saturated model of the incomplete
  data (DESIGN.md), so chisq / CFI / RMSEA differ from lavaan's missing = "ml".
- Polychoric correlations: semopy's hetcor writes every pairwise estimate by chained
  assignment (cov[a][b] = ...), which pandas 3 copy-on-write never lets reach the result, so
  it silently returns the Pearson matrix; with the pinned numpy and scipy its ordinal path
  does not even run (np.ma.corrcoef lost `bias`, scipy.stats.mvn lost `mvnun`). alianza
  computes its own polychorics (sem/data/polychoric.py) and never calls semopy's.
"""
import json

import numpy as np
import pandas as pd
import pytest
import semopy
from semopy import polycorr

from alianza.sem import fit
from alianza.sem.data.categorical import ordinal_stats
from alianza.sem.data.polychoric import pair_index
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
LAVAAN = json.loads((FIXTURES / "estimator_fixtures.json").read_text())
ITEMS = ["e1_1", "e1_2", "e1_3", "e1_4"]


def test_semopy_fiml_chisquare_differs_from_lavaan_ours_matches():
    data = pd.read_csv(FIXTURES / "estimators" / "hs_mcar10.csv")
    desc = "visual =~ x1 + x2 + x3 + x9"
    ref = LAVAAN["fiml_hs_mcar_visual4"]["fit"]
    model = semopy.Model(desc)
    model.fit(data[["x1", "x2", "x3", "x9"]], obj="FIML")
    semopy_chisq = float(semopy.calc_stats(model).loc["Value", "chi2"])
    assert abs(semopy_chisq - ref["chisq"]) > 1.0           # the defect
    ours = fit(desc, data, missing="fiml").fit
    assert abs(ours["chisq"] - ref["chisq"]) < 1e-3
    assert abs(ours["cfi"] - ref["cfi"]) < 1e-3 and abs(ours["rmsea"] - ref["rmsea"]) < 1e-3


@pytest.fixture(scope="module")
def e1_items():
    return pd.read_csv(FIXTURES / "waves" / "pooled.csv")[ITEMS].dropna().reset_index(drop=True)


def test_semopy_hetcor_discards_pairwise_estimates_under_copy_on_write(monkeypatch, e1_items):
    """Even when the pairwise routine returns a value, hetcor hands back Pearson correlations."""
    assert int(pd.__version__.split(".")[0]) >= 3                  # copy-on-write always on
    monkeypatch.setattr(polycorr, "polychoric_corr", lambda *a, **k: 0.5)
    # integer column labels: with names, hetcor fails earlier (it indexes its transposed frame by name)
    frame = e1_items.set_axis(range(len(ITEMS)), axis=1).astype(float)
    with pytest.warns(pd.errors.ChainedAssignmentError):         # pandas says so, too
        out = polycorr.hetcor(frame, ords=list(range(len(ITEMS))))
    assert np.allclose(out.to_numpy(), frame.corr().to_numpy())     # Pearson, not the 0.5 written
    ref = np.array(LAVAAN["wlsmv_pooled_e1"]["polychoric"])
    pearson = frame.corr().to_numpy()[pair_index(len(ITEMS))]
    assert np.abs(pearson - ref).max() > 0.02                       # and Pearson is not lavaan's


def test_semopy_ordinal_path_does_not_run_with_the_pinned_numpy_and_scipy(e1_items):
    model = semopy.Model("E1 =~ e1_1 + e1_2 + e1_3 + e1_4\nDEFINE(ordinal) e1_1 e1_2 e1_3 e1_4")
    with pytest.raises(TypeError, match="bias"):
        model.fit(e1_items.astype(float))
    with pytest.raises(AttributeError, match="mvnun"):
        polycorr.polychoric_corr(e1_items["e1_1"].to_numpy(float), e1_items["e1_2"].to_numpy(float))


def test_our_polychorics_match_lavaan(e1_items):
    stats = ordinal_stats(e1_items.to_numpy(float), ITEMS)
    i, j = stats.pairs
    assert np.allclose(stats.correlation[i, j], LAVAAN["wlsmv_pooled_e1"]["polychoric"], atol=1e-6)
