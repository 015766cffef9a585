"""A tour of alianza's estimation engine (src/alianza/sem), stage by stage.

Like lavaan's inst/understanding_lavaan_internals.R: run it (`.venv/bin/python docs/engine_tour.py`)
and read it beside the modules it names. `alianza.sem.fit()` runs exactly these stages; here they
are called one by one on the Holzinger-Swineford data (tests/fixtures/shapes/hs.csv), two schools.
"""
from pathlib import Path

import numpy as np
import pandas as pd

from alianza.sem import fit
from alianza.sem.estimation.casewise import MultiGroupCasewise, saturated, split_rows
from alianza.sem.estimation.estimate import fit_ml, start_values
from alianza.sem.data.fiml import CasewiseML, SemStructure
from alianza.sem.matrices.model import SemModel, ml_objective
from alianza.sem.spec.multigroup import group_partable, group_start_values
from alianza.sem.estimation.options import ESTIMATORS, resolve
from alianza.sem.estimation.scoring import minimize
from alianza.sem.matrices.derivatives import MomentsML
from alianza.sem.spec.partable import build_partable, var_names
from alianza.sem.data.samplestats import SampleStats, model_frame
from alianza.sem.solution.solution import parameter_table
from alianza.sem.spec.syntax import parse_model

ROOT = Path(__file__).resolve().parents[1]
data = pd.read_csv(ROOT / "tests" / "fixtures" / "shapes" / "hs.csv")
text = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

# 1. syntax (sem/spec/syntax.py): lavaan's model syntax -> formulas
parsed = parse_model(text)
print("1. formulas:", [(f.lhs, f.op, f.rhs) for f in parsed.formulas][:3], "...")

# 2. variable roles (sem/spec/partable.py: lav_partable_vnames)
roles = var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas])
print("2. observed:", roles.ov, " latent:", roles.lv)

# 3. options (sem/estimation/options.py): the estimator name expands into lavaan's bundle, validated once
print("3. estimators:", {k: (v["se"], v["test"]) for k, v in ESTIMATORS.items()})
opts = resolve("MLR", observed=roles.ov, ov_x=roles.ov_x, group="school")
print("   MLR ->", opts.objective, opts.se, opts.test, opts.information, opts.missing)

# 4. parameter table (sem/spec/partable.py, sem/spec/multigroup.py: lavaanify with lavaan's defaults);
#    `par` is the index into theta, the free-parameter vector (shared labels share one entry)
table1, _ = build_partable(parsed)
table, names = group_partable(parsed, 2, group_equal=["loadings"])
print("4. one group:", len(table1), "rows;", "two groups, equal loadings:", len(table), "rows,",
      int(table["par"].max()) + 1, "free parameters")

# 5. data and sample statistics (sem/data/samplestats.py, sem/estimation/casewise.py): rows per group, moments
warnings: list[str] = []
x, gvals, labels, n_input, _ = model_frame(data, names.ov, "school", None, None, warnings)
groups = split_rows(x, gvals, labels, fiml=False, x_idx=[], warnings=warnings)
h1 = [saturated(g, fiml=False) for g in groups]
stats = SampleStats([h.cov for h in h1], [h.mean for h in h1], [g.pat.n for g in groups], names.ov)
print("5. groups:", dict(zip(labels, stats.nobs)))

# 6. model matrices (sem/matrices/ram.py, sem/matrices/model.py): theta -> RAM matrices -> Sigma_g, mu_g
model = SemModel(table, names, meanstructure=True)
theta0 = model.theta_from_rows(group_start_values(model, stats))
print("6. fmin at the starting values:", round(ml_objective(model, theta0, stats), 4))

# 7. estimation: one optimiser (sem/estimation/scoring.py: damped Fisher scoring, then Newton steps with
#    step-halving, a quasi-Newton fallback) on one derivative engine (sem/matrices/derivatives.py:
#    fmin, gradient, information and Hessian in closed form). fit_ml (estimate.py) hands it the ML
#    objective of the moments (MomentsML); FIML and DWLS hand it theirs; the bootstrap and the power
#    replicates run its Newton phase batched (scoring.newton_batch through refit.py on BatchedML).
est = fit_ml(model, stats, theta0)
print("7. converged:", est.converged, "in", est.iterations, "iterations; chi-square 2 N fmin =",
      round(2 * stats.ntotal * est.fmin, 3))
objective = MomentsML(model, stats)
again = minimize(objective.fun, objective.grad_info, theta0, hessian=objective.hessian)
assert np.allclose(again.theta, est.theta, atol=1e-9)

# 8. vcov on `se` (sem/estimation/casewise.py): observed information as bread, casewise scores as meat
obj = MultiGroupCasewise([CasewiseML(SemStructure(model, g), gr.pat) for g, gr in enumerate(groups)])
E_inv = np.linalg.inv(obj.hessian(est.theta))
meat = sum(w * b for w, b in zip(obj.w, obj.first_order(est.theta)))
vcov = E_inv @ meat @ E_inv / obj.n
print("8. robust SE of the first free parameter:", round(float(np.sqrt(vcov[0, 0])), 4))

# 9-10. test and fit measures (sem/inference/robust.py, sem/inference/fitmeasures.py) and the standardized solution
#       (sem/solution/solution.py, sem/solution/standardize.py): what fit() returns in one call
params = parameter_table(table, model, model.row_values(est.theta), est.theta, vcov,
                         model.implied(est.theta), names)
res = fit(text, data, estimator="MLR", group="school", group_equal=["loadings"])
assert np.allclose(params["se"], res.params["se"], atol=1e-6)
print("9. scaled chi-square", round(res.fit["chisq_scaled"], 3), "scaling factor",
      round(res.fit["chisq_scaling_factor"], 3), "robust CFI", round(res.fit["cfi_robust"], 3))
print("10. the same table fit() gives:\n", res.params.head(4).to_string(index=False))

# The single-group model is the G = 1 case of all of the above; `start_values` is what
# group_start_values applies to each group.
assert callable(start_values)

# 11. post-fit tools read the fitted result and never refit: the fit keeps its estimator's objective
#     (res.objective: ML on the moments, the casewise likelihood under FIML, DWLS under WLSMV) and the
#     score test (sem/inference/scoretest.py, lavTestScore) re-evaluates its gradient and expected
#     information with every constrained parameter released
from alianza.sem.inference.scoretest import score_test  # noqa: E402

print("11. score test of the", len(score_test(res)["uni"]), "equal loadings, total X2",
      round(score_test(res)["total"]["X2"], 3))
