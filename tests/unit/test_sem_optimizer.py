"""The one optimiser (sem/estimation/scoring.py): every estimation path goes through it, and its
single and batched forms land on the same optimum for the same moments."""
import sys

import numpy as np
import pandas as pd
import pytest

from alianza.power import PowerSettings, PowerStudy
from alianza.power.moments import from_lavaan
from alianza.sem import fit
from alianza.sem.data.samplestats import SampleStats, sample_stats, select_complete
from alianza.sem.estimation import scoring
from alianza.sem.estimation.estimate import fit_ml, start_values
from alianza.sem.estimation.refit import FAST, refit, start_hessian
from alianza.sem.inference.bootstrap import bootstrap
from alianza.sem.matrices.derivatives import BatchedML, MomentsML
from alianza.sem.matrices.model import SemModel, ml_gradient_information
from alianza.sem.spec.partable import build_partable
from alianza.sem.spec.syntax import parse_model
from alianza.workflow import model_text
from tests.conftest import FIXTURES, REFERENCE, ROOT

HS = REFERENCE / "HolzingerSwineford1939.csv"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
FIVE_STAGE = model_text([str(ROOT / "config/models/measurement.lav"), str(ROOT / "config/models/five_stage.lav")])


class _Calls:
    """Which functions of the optimiser module run (sys.setprofile: nothing is patched)."""

    def __init__(self):
        self.names: set[str] = set()

    def __enter__(self):
        def profile(frame, event, arg):
            if event == "call" and frame.f_code.co_filename == scoring.__file__:
                self.names.add(frame.f_code.co_name)
        sys.setprofile(profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)
        return False


def _hs():
    data = pd.read_csv(HS)
    data["x1m"] = data["x1"].where(np.arange(len(data)) % 7 != 0)    # some missing answers for FIML
    return data


@pytest.mark.parametrize("options", [
    {},                                                     # ML on moments
    {"group": "school", "group_equal": ["loadings"]},       # multi-group ML
    {"estimator": "MLR", "group": "school"},                # robust, rows
    {"missing": "fiml", "model": CFA.replace("x1 +", "x1m +")},   # FIML: the casewise likelihood
])
def test_every_fit_path_minimises_with_the_one_optimiser(options):
    options = dict(options)
    text = options.pop("model", CFA)
    with _Calls() as calls:
        res = fit(text, _hs(), **options)
    assert res.converged
    # the single-fit algorithm: damped scoring, then its Newton phase (the batched code, B = 1)
    assert {"minimize", "_damped_scoring", "newton_batch"} <= calls.names


def test_ordinal_fit_minimises_with_the_one_optimiser():
    data = pd.read_csv(HS)[["x1", "x2", "x3", "x4", "x5", "x6"]]
    cut = data.apply(lambda c: pd.cut(c, c.quantile([0, 0.3, 0.7, 1.0]), labels=False, include_lowest=True))
    with _Calls() as calls:
        res = fit("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6", cut, estimator="WLSMV", ordered=list(cut.columns))
    assert res.converged
    assert {"minimize", "_damped_scoring"} <= calls.names        # Gauss-Newton: no Hessian, no Newton phase


def test_bootstrap_and_power_replicates_use_the_batched_form():
    data = select_complete(pd.read_csv(HS), [f"x{i}" for i in range(1, 7)]).data
    with _Calls() as calls:
        boot = bootstrap("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6", data, replicates=20, seed=1, bca=False,
                         bollen_stine=False, workers=1)
    assert boot.converged == 20 and "newton_batch" in calls.names
    study = PowerStudy.build("y ~ x", from_lavaan("y ~ 0.3*x"), PowerSettings(n=[80], reps=6, seed=2))
    with _Calls() as calls:
        records = study.run()["records"]
    assert all(r["converged"] for r in records) and "newton_batch" in calls.names


def _five_stage():
    table, names = build_partable(parse_model(FIVE_STAGE))
    model = SemModel(table, names, bool((table["op"] == "~1").any()))
    data = select_complete(pd.read_csv(FIXTURES / "waves" / "pooled.csv"), names.ov).data
    stats = sample_stats(data, names.ov)
    model.set_exogenous(stats)
    return model, stats, data.to_numpy(dtype=float)


def test_batched_and_single_fits_land_on_the_same_optimum():
    """The same moments through refit (warm batched Newton steps from the full-sample solution) and
    through minimize (cold: starting values, damped scoring, Newton): the same optimum, to the
    precision of the Newton phase they share, where model.py's gradient (not derivatives.py's) is zero."""
    model, stats, X = _five_stage()
    full = fit_ml(model, stats, model.theta_from_rows(start_values(model, stats)))
    rng = np.random.default_rng(11)
    covs, means = [], []
    for _ in range(5):
        x = X[rng.integers(0, len(X), len(X))]
        covs.append(np.cov(x, rowvar=False, bias=True))
        means.append(x.mean(axis=0))
    covs, means = np.array(covs), np.array(means)
    engine = BatchedML(model)
    batch = refit(engine, full.theta, covs, means, len(X),
                  hessian0=start_hessian(engine, full.theta, stats.cov[0], stats.mean[0]), fallback=False)
    assert (batch.status == FAST).all()
    for b in range(len(covs)):
        s = SampleStats.from_moments([covs[b]], [means[b]], [len(X)], model.names.ov)
        single = fit_ml(model, s, model.theta_from_rows(start_values(model, s)))     # scoring.minimize
        assert single.converged and single.iterations > 3
        np.testing.assert_allclose(batch.theta[b], single.theta, atol=1e-9)
        assert batch.fmin[b] == pytest.approx(single.fmin, abs=1e-13)
        assert np.max(np.abs(ml_gradient_information(model, batch.theta[b], s, info=False)[0])) < 1e-9


def test_newton_batch_results_do_not_depend_on_the_batch_and_flags_are_honest():
    """Each problem of a batch gets the numbers it gets alone; a budget too small to finish is
    reported as not done (the single fit then says not converged), never as converged."""
    model, stats, X = _five_stage()
    objective = MomentsML(model, stats)
    theta0 = model.theta_from_rows(start_values(model, stats))
    starts = theta0[None] * np.array([1.0, 1.02, 0.98])[:, None]

    def evaluate(rows, theta, order):        # three copies of the same problem, different starts
        evs = [objective.evaluate(None, t[None], order) for t in theta]
        out = evs[0]
        for name in ("f", "ok", "grad", "hess", "info"):
            if getattr(out, name) is not None:
                setattr(out, name, np.concatenate([getattr(e, name) for e in evs]))
        return out

    whole = scoring.newton_batch(evaluate, starts, max_iter=100)
    for b in range(3):
        alone = scoring.newton_batch(evaluate, starts[b:b + 1], max_iter=100)
        np.testing.assert_array_equal(whole.theta[b], alone.theta[0])
    assert whole.done.all()
    np.testing.assert_allclose(whole.theta[1], whole.theta[0], atol=1e-9)
    short = scoring.newton_batch(evaluate, starts, max_iter=1)
    assert not short.done.any()
    est = fit_ml(model, stats, theta0, max_iter=1, gtol=0.0)
    assert not est.converged and "did not converge" in est.messages[0]
