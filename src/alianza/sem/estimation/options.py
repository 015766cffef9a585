"""Estimation options: an estimator name expands, here and only here, into lavaan's bundle.

    opts = resolve(estimator="MLR", missing="fiml", observed=names.ov, ov_x=names.ov_x, group="sector")
    opts.objective, opts.se, opts.test, opts.information   # -> "ml", "robust.huber.white", ...

Like lavaan's lav_options_set(): the estimator name sets the objective (ML or DWLS), how the
covariance of the estimates is computed (`se`), which test statistic is reported (`test`) and
which information matrix serves as bread (`information`); `missing`, `ordered`, `std_lv`,
`fixed_x` and `parameterization` complete the bundle. Every combination that alianza cannot
estimate is refused here, with one line naming the option, so later stages branch on the
options (never on the estimator name) and never need to refuse anything themselves.

Adding an estimator means one ESTIMATORS entry plus its objective.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from alianza.errors import ConfigError

# name -> lavaan's option bundle (lav_options_set, 0.6.14 defaults)
ESTIMATORS: dict[str, dict] = {
    "ML": dict(objective="ml", se="standard", test="standard", information="expected",
               categorical=False, description="maximum likelihood"),
    "MLR": dict(objective="ml", se="robust.huber.white", test="yuan.bentler.mplus", information="observed",
                categorical=False,
                description="maximum likelihood, Huber-White SEs, Yuan-Bentler (Mplus) scaled test"),
    "WLSMV": dict(objective="dwls", se="robust.sem", test="scaled.shifted", information="expected",
                  categorical=True,
                  description="diagonally weighted least squares, robust SEs, mean- and "
                              "variance-adjusted (scaled-shifted) test"),
    "ULSMV": dict(objective="uls", se="robust.sem", test="scaled.shifted", information="expected",
                  categorical=True,
                  description="unweighted least squares, robust SEs, mean- and variance-adjusted "
                              "(scaled-shifted) test"),
}
MISSING = {"listwise": "listwise", "default": "listwise", "fiml": "fiml", "ml": "fiml", "direct": "fiml"}
PARAMETERIZATIONS = ("delta", "theta")


@dataclass(frozen=True)
class Options:
    """The options every stage after `resolve` reads (lavaan's lavoptions)."""
    estimator: str = "ML"
    objective: str = "ml"                 # ml | dwls
    se: str = "standard"                  # standard | robust.huber.white | robust.sem
    test: str = "standard"                # standard | yuan.bentler.mplus | scaled.shifted
    information: str = "expected"         # bread of the standard errors: expected | observed
    missing: str = "listwise"             # listwise | fiml
    ordered: tuple[str, ...] = ()
    parameterization: str = "delta"
    std_lv: bool = False
    fixed_x: bool = True
    group: str | None = None
    group_equal: tuple[str, ...] = ()
    group_partial: tuple[str, ...] = ()
    group_label: tuple[str, ...] | None = None
    sampling_weights: str | None = None   # column of sampling weights (expansion factors)
    cluster: str | None = None            # column of cluster ids (e.g. municipality)
    description: str = field(default="maximum likelihood", compare=False)

    @property
    def design(self) -> bool:
        """A complex survey design: sampling weights and/or clusters."""
        return self.sampling_weights is not None or self.cluster is not None

    @property
    def robust(self) -> bool:
        return self.se != "standard"

    @property
    def plain(self) -> bool:
        """lavaan's defaults on continuous data: ML estimates with expected-information SEs."""
        return self.objective == "ml" and not self.robust and self.missing == "listwise"

    def to_dict(self) -> dict:
        return {"estimator": self.estimator, "se": self.se, "test": self.test,
                "information": self.information, "missing": self.missing, "ordered": list(self.ordered),
                "parameterization": self.parameterization if self.ordered else None,
                "std_lv": self.std_lv, "fixed_x": self.fixed_x,
                "sampling_weights": self.sampling_weights, "cluster": self.cluster}


def ordered_spec(ordered) -> list[str] | str:
    """None/False/'none' -> [], True/'all' -> 'all', 'a,b' or [a, b] -> [a, b]."""
    if ordered is None or ordered is False:
        return []
    if ordered is True:
        return "all"
    if isinstance(ordered, str):
        text = ordered.strip()
        if text.lower() in ("", "none"):
            return []
        if text.lower() == "all":
            return "all"
        return [t.strip() for t in text.split(",") if t.strip()]
    return [str(v) for v in ordered]


def estimator_name(estimator, ordered=None) -> str:
    """The estimator's canonical name: lavaan's default is WLSMV with ordered items, else ML."""
    if estimator is None or str(estimator).strip() == "":
        return "WLSMV" if ordered_spec(ordered) else "ML"
    name = str(estimator).strip().upper()
    if name not in ESTIMATORS:
        raise ConfigError(f"unknown estimator {estimator!r}; use one of {', '.join(ESTIMATORS)}", key="estimator")
    return name


def missing_name(missing) -> str:
    key = "listwise" if missing is None else str(missing).strip().lower()
    if key not in MISSING:
        raise ConfigError(f"unknown missing-data treatment {missing!r}; use listwise or fiml", key="missing")
    return MISSING[key]


def resolve(estimator=None, missing=None, ordered=None, *, observed=(), ov_x=(), group=None,
            group_equal=(), group_partial=(), group_label=None, std_lv=False, parameterization=None,
            se=None, fixed_x=True, sampling_weights=None, cluster=None, test=None) -> Options:
    """Expand and validate the user's options against each other and the model's variables.

    A survey design changes the bundle as lavaan 0.6.14 does: sampling weights turn ML into MLR
    (lavaan forces MLR: weighted estimates need sandwich SEs), and clusters make the SEs
    cluster-robust (se = "robust.cluster", the Yuan-Bentler test, observed information) for ML and
    MLR alike (lav_options_set, "clustered" override).
    """
    name = estimator_name(estimator, ordered)
    weights_col = _design_column(sampling_weights, "sampling_weights")
    cluster_col = _design_column(cluster, "cluster")
    if (weights_col or cluster_col) and ESTIMATORS[name]["categorical"]:
        what = "sampling weights" if weights_col else "clusters"
        raise ConfigError(f"{what} with {name} (ordered items) are not available yet; treat the items as "
                          "continuous with estimator MLR", key="sampling_weights" if weights_col else "cluster")
    if weights_col and name == "ML":
        name = "MLR"
    bundle = dict(ESTIMATORS[name])
    if cluster_col:
        bundle.update(se="robust.cluster", test="yuan.bentler.mplus", information="observed",
                      description=bundle["description"].replace("Huber-White SEs", "cluster-robust SEs")
                      if name == "MLR" else "maximum likelihood, cluster-robust SEs, Yuan-Bentler (Mplus) "
                                            "scaled test")
    for col, key in ((weights_col, "sampling_weights"), (cluster_col, "cluster")):
        if col is not None and col in list(observed):
            raise ConfigError(f"the {key.replace('_', ' ')} column {col!r} is also a model variable",
                              key=key, column=col)
        if col is not None and col == group:
            raise ConfigError(f"the {key.replace('_', ' ')} column {col!r} is also the grouping variable",
                              key=key, column=col)
    miss = missing_name(missing)
    observed = list(observed)
    spec = ordered_spec(ordered)
    if spec == "all":
        ordered_list = [v for v in observed if v not in ov_x]
    else:
        ordered_list = list(dict.fromkeys(spec))
        for item in ordered_list:
            if observed and item not in observed:
                raise ConfigError(f"ordered item {item!r} is not an observed variable of the model",
                                  key="ordered", column=item)
    if se == "standard" and (weights_col or cluster_col):
        raise ConfigError("se 'standard' ignores the survey design; with sampling weights or clusters the "
                          f"standard errors are {bundle['se']} (lavaan's)", key="se")
    # se = "none" / test = "none": estimates only, as lavaan's bootstrap refits a replicate (the bootstrap's
    # rows path); a survey design's replicates are refitted from moments (sem/estimation/refit.py)
    for key, value in (("se", se), ("test", test)):
        if value == "none" and (weights_col or cluster_col):
            raise ConfigError(f"{key} 'none' is not available with a survey design", key=key)
    if test not in (None, "none", bundle["test"]):
        raise ConfigError(f"test {test!r} is not available: the test follows the estimator ({name}: "
                          f"{bundle['test']})", key="test")
    if se not in (None, "standard", "none", bundle["se"]):
        raise ConfigError(f"se {se!r} is not available: standard errors follow the estimator "
                          f"({name}: {bundle['se']})", key="se")
    bundle.update({key: "none" for key, value in (("se", se), ("test", test)) if value == "none"})
    if ordered_list and not bundle["categorical"]:
        raise ConfigError(f"ordered items need estimator WLSMV (lavaan's default for ordered data), not {name}",
                          key="estimator")
    if bundle["categorical"]:
        if miss == "fiml":
            raise ConfigError(f"{name} estimates from polychoric correlations of the complete rows (listwise, "
                              "lavaan's default for ordered data); FIML needs estimator ML or MLR", key="missing")
        if not ordered_list:
            raise ConfigError(f"{name} needs ordered items (ordered: all, or a list of items)", key="ordered")
    par = "delta" if parameterization is None else str(parameterization).lower()
    if par not in PARAMETERIZATIONS:
        raise ConfigError(f"unknown parameterization {parameterization!r}; use delta or theta",
                          key="parameterization")
    if par == "theta" and not bundle["categorical"]:
        raise ConfigError("parameterization applies to ordered items (WLSMV, ULSMV)", key="parameterization")
    if group is None and (group_equal or group_partial):
        raise ConfigError("group_equal / group_partial need a grouping variable (group=)", key="group")
    return Options(estimator=name, objective=bundle["objective"], se=bundle["se"], test=bundle["test"],
                   information=bundle["information"], missing=miss,
                   ordered=tuple(v for v in observed if v in ordered_list) if observed else tuple(ordered_list),
                   parameterization=par, std_lv=bool(std_lv), fixed_x=bool(fixed_x),
                   group=group, group_equal=tuple(str(e) for e in (group_equal or ())),
                   group_partial=tuple(str(p) for p in (group_partial or ())),
                   group_label=None if group_label is None else tuple(str(x) for x in group_label),
                   sampling_weights=weights_col, cluster=cluster_col, description=bundle["description"])


def _design_column(value, key: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key} names one column of the data, not {value!r}", key=key)
    return value.strip()


def with_group(opts: Options, group, group_equal=(), group_partial=(), group_label=None) -> Options:
    """The same options on a multi-group model (invariance steps)."""
    return replace(opts, group=group, group_equal=tuple(group_equal), group_partial=tuple(group_partial),
                   group_label=None if group_label is None else tuple(group_label))


def fit_kwargs(estimation: dict | None, design: dict | None = None) -> dict:
    """sem.fit's keywords from a config `estimation:` block (estimator, missing, ordered, std_lv)
    and `design:` block (weights, cluster; strata are described, not estimated with)."""
    est = dict(estimation or {})
    out = {"estimator": est.get("estimator"), "missing": est.get("missing"), "ordered": est.get("ordered")}
    if est.get("std_lv"):
        out["std_lv"] = True
    if est.get("parameterization") not in (None, "delta"):
        out["parameterization"] = est["parameterization"]
    design = dict(design or {})
    if design.get("weights"):
        out["sampling_weights"] = design["weights"]
    if design.get("cluster"):
        out["cluster"] = design["cluster"]
    return out
