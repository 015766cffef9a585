"""SemFit: everything a fitted model reports, in lavaan's names."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

PARAM_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                 "std_lv", "std_all"]
# bootstrap fits (sem/inference/bootstrap.py) add BCa and std_all intervals beside the percentile ones
BOOTSTRAP_COLUMNS = ["ci_lower_bca", "ci_upper_bca", "std_all_ci_lower", "std_all_ci_upper"]
MI_COLUMNS = ["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"]


def json_ready(x: Any) -> Any:
    """JSON-ready: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(x, dict):
        return {k: json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_ready(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


@dataclass
class SemFit:
    params: pd.DataFrame                 # parameterEstimates() + std.lv/std.all, lavaan's row order
    fit: dict[str, float]                # fitMeasures(), dots -> underscores
    r2: dict[str, float]
    modindices: pd.DataFrame
    n: int                               # observations used
    converged: bool
    warnings: list[str]
    estimator: str
    observed: list[str]
    latent: list[str]
    sample_cov: pd.DataFrame
    implied_cov: pd.DataFrame
    latent_cov: pd.DataFrame
    n_input: int = 0                     # rows handed in
    n_dropped: int = 0                   # rows removed by listwise deletion
    sample_mean: pd.Series | None = None
    implied_mean: pd.Series | None = None
    partable: pd.DataFrame | None = None  # the full internal table (free, par, exo, ...)
    vcov: np.ndarray | None = None        # covariance of the free parameters (theta)
    # how the numbers were computed: lavaan's options (se, test, information, h1_information,
    # missing, ordered, parameterization, std_lv ...: sem/options.Options.to_dict), the optimizer
    options: dict = field(default_factory=dict)
    fmin: float | None = None             # lavaan's fmin (chi-square = 2 N fmin)
    iterations: int | None = None
    em_iterations: int | None = None      # FIML: the EM of the saturated model
    theta: np.ndarray | None = None       # the free parameters at the solution
    sample_stats: object | None = None    # SampleStats the fit read (score tests re-use them)
    names: object | None = None           # VarNames: the variable roles of the model
    thresholds: pd.Series | None = None   # ordered items: the sample thresholds (group 1)
    bootstrap: dict | None = None         # sem/inference/bootstrap.py: replicates, failures, seed, Bollen-Stine p
    # WLSMV/ULSMV: per group the Jacobian of the (thresholds, correlations) at the estimates, the weights,
    # Gamma and N_g / N, and the expected information (what lavTestLRT's Satorra 2000 test reads)
    wls: dict | None = None
    # the estimator's objective on the data the fit read, re-evaluable on any SemModel over the same
    # table: objective.gradient_information(model, theta) -> (gradient of fmin, expected information
    # per observation), lavaan's lav_model_gradient and information "expected" (score tests read it).
    # MomentsObjective (matrices/model.py), CasewiseObjective (estimation/casewise.py: FIML),
    # DwlsObjective (estimation/dwls.py: WLSMV, ULSMV)
    objective: object | None = None
    # multi-group fits (sem/spec/multigroup.py): group labels in lavaan's order and N per group;
    # params/modindices then have a `group` column (1, 2, ...), r2 is {label: {var: r2}} and
    # the matrix fields hold group 1 (every group's in per_group)
    groups: list[str] = field(default_factory=list)
    group_nobs: list[int] = field(default_factory=list)
    group: str | None = None
    group_equal: list[str] = field(default_factory=list)
    group_partial: list[str] = field(default_factory=list)
    per_group: dict = field(default_factory=dict)
    # estimation options actually used (sem/estimators.py): missing-data treatment ("listwise" or
    # "fiml"), ordered items (WLSMV), and the missingness of the model variables in the input
    missing: str = "listwise"
    ordered: list[str] = field(default_factory=list)
    missing_patterns: dict | None = None
    # complex survey design (sem/data/design.py): weights and cluster columns, number of clusters, the
    # weights' sum and range as given (they are normalised to sum to N for estimation), se
    design: dict | None = None

    def to_dict(self) -> dict:
        def cols(frame, names):      # a multi-group table keeps its `group` column after rhs
            return names[:3] + ["group"] + names[3:] if "group" in frame.columns else names

        out = {
            "estimator": self.estimator,
            "n": self.n,
            "n_input": self.n_input,
            "n_dropped": self.n_dropped,
            "missing": self.missing,
            "ordered": list(self.ordered),
            "missing_patterns": self.missing_patterns,
            "converged": self.converged,
            "warnings": list(self.warnings),
            "observed": list(self.observed),
            "latent": list(self.latent),
            "fit": dict(self.fit),
            "parameters": self.params[cols(self.params, PARAM_COLUMNS)
                                      + [c for c in BOOTSTRAP_COLUMNS if c in self.params.columns]
                                      ].to_dict(orient="records"),
            "r2": dict(self.r2),
            "modindices": self.modindices[cols(self.modindices, MI_COLUMNS)].to_dict(orient="records"),
        }
        if self.design:
            out["design"] = dict(self.design)
        if self.groups:
            out["groups"] = dict(zip(self.groups, self.group_nobs))
        if self.bootstrap is not None:
            out["bootstrap"] = self.bootstrap
        return json_ready(out)

    def summary(self) -> str:
        from alianza.sem.solution.summary import summary_text

        return summary_text(self)
