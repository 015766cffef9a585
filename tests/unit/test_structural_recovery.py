"""Parameter recovery: the bootstrap intervals of the five-stage model cover the population's
true paths (config/population.yaml) at the bundled sample size.

The simulator's continuous responses y* (before the Likert cut) follow the population
model exactly; the Likert codes would attenuate every correlation (polychoric vs Pearson),
so the check of the estimator itself uses y*. The population is standardized and the
analysis model fixes the first loading of each factor to 1, so the comparison is on
lavaan's std.all scale, where the population values are the truth as written.
"""
import numpy as np
import pytest

from alianza.population import true_parameters
from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap
from alianza.simulate import simulate_continuous
from alianza.workflow import model_text
from tests.conftest import ROOT
from tests.unit.wave_helpers import population

N = 550          # about the two bundled waves pooled (554 rows delivered)


@pytest.fixture(scope="module")
def recovered():
    pop = population()
    _, ystar = simulate_continuous(pop, N, np.random.default_rng(pop.seed))
    text = model_text([str(ROOT / "config/models/measurement.lav"), str(ROOT / "config/models/five_stage.lav")])
    boot = bootstrap(text, ystar, replicates=400, seed=pop.seed, bca=False, bollen_stine=False, workers=1)
    return pop, with_bootstrap(boot.fit, boot).params


def test_true_paths_and_serial_indirect_effect_inside_the_bootstrap_intervals(recovered):
    pop, params = recovered
    truth = true_parameters(pop)
    paths = truth[truth["op"] == "~"]
    assert len(paths) == 5
    for _, t in paths.iterrows():
        row = params[(params["lhs"] == t["lhs"]) & (params["op"] == "~") & (params["rhs"] == t["rhs"])].iloc[0]
        assert row["std_all_ci_lower"] < t["std_all"] < row["std_all_ci_upper"], (t["lhs"], t["rhs"])
    h6 = params[params["lhs"] == "H6"].iloc[0]
    true_h6 = float(np.prod(paths["std_all"]))       # 0.55 * 0.50 * 0.60 * 0.45 * 0.40
    assert h6["std_all_ci_lower"] < true_h6 < h6["std_all_ci_upper"]
    assert h6["ci_lower"] > 0                          # and H6 is found (the unstandardized interval)


def test_loadings_covered_at_the_nominal_rate(recovered):
    """24 standardized loadings, 95% intervals: more than 5 misses has probability 0.001
    under the nominal rate (binomial(24, 0.05)); a biased estimator would miss many."""
    pop, params = recovered
    truth = true_parameters(pop)
    misses = 0
    for _, t in truth[truth["op"] == "=~"].iterrows():
        row = params[(params["lhs"] == t["lhs"]) & (params["op"] == "=~") & (params["rhs"] == t["rhs"])].iloc[0]
        misses += not (row["std_all_ci_lower"] < t["std_all"] < row["std_all_ci_upper"])
    assert misses <= 5
