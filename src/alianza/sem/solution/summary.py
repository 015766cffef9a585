"""lavaan-like text summary of a SemFit (the layout of lavaan's summary(fit, fit.measures =
TRUE, standardized = TRUE, rsquare = TRUE)), so a lavaan user reads it at a glance."""
from __future__ import annotations

import math

import numpy as np

from alianza import __version__

_SECTIONS = [("=~", "Latent Variables:"), ("~", "Regressions:"), ("~~cov", "Covariances:"),
             ("~1", "Intercepts:"), ("|", "Thresholds:"), ("~~var", "Variances:"), ("~*~", "Scales y*:")]
_COLS = "                   Estimate  Std.Err  z-value  P(>|z|)   Std.lv  Std.all"


def _num(x, width=9, digits=3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return " " * width
    return f"{x:{width}.{digits}f}"


def _kv(label: str, value, digits=3) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, np.integer)):
        text = str(int(value))
    elif value is None or not math.isfinite(value):
        text = "NA"
    else:
        text = f"{value:.{digits}f}"
    return f"  {label}{text:>{max(1, 52 - len(label))}}"


def summary_text(res) -> str:
    f = res.fit
    lines = []
    status = "ended normally" if res.converged else "did NOT converge"
    it = res.iterations
    lines.append(f"alianza {__version__} (lavaan 0.6.14 definitions) {status}"
                 + (f" after {it} iterations" if it is not None else ""))
    lines.append("")
    lines.append(_kv("Estimator", res.estimator))
    lines.append(_kv("Number of model parameters", f.get("npar")))
    lines.append("")
    lines.append(_kv("Number of observations", res.n))
    for label, n in zip(res.groups, res.group_nobs):
        lines.append(_kv(f"  {label}", n))
    if res.n_dropped:
        lines.append(_kv("Rows dropped (no model variable observed)" if res.missing == "fiml"
                         else "Rows dropped (listwise deletion)", res.n_dropped))
    design = getattr(res, "design", None)
    if design:
        if design.get("sampling_weights"):
            lines.append(_kv("Sampling weights variable", design["sampling_weights"]))
        if design.get("cluster"):
            lines.append(_kv(f"Number of clusters [{design['cluster']}]", design["n_clusters"]))
    if res.missing == "fiml" and res.missing_patterns:
        lines.append(_kv("Number of missing patterns", res.missing_patterns["n_patterns"]))
    lines += ["", "Model Test User Model:", "",
              _kv("Test statistic", f.get("chisq")), _kv("Degrees of freedom", f.get("df")),
              _kv("P-value (Chi-square)", f.get("pvalue")), "", *_scaled_lines(f, "", res.options.get("test")),
              "Model Test Baseline Model:", "",
              _kv("Test statistic", f.get("baseline_chisq")), _kv("Degrees of freedom", f.get("baseline_df")),
              _kv("P-value", f.get("baseline_pvalue")), "", *_scaled_lines(f, "baseline_", None),
              "User Model versus Baseline Model:", "",
              _kv("Comparative Fit Index (CFI)", f.get("cfi")), _kv("Tucker-Lewis Index (TLI)", f.get("tli")),
              *_variant_lines(f, [("Comparative Fit Index (CFI)", "cfi"), ("Tucker-Lewis Index (TLI)", "tli")]),
              "",
              *(["Loglikelihood and Information Criteria:", "",
                 _kv("Loglikelihood user model (H0)", f.get("logl")),
                 _kv("Loglikelihood unrestricted model (H1)", f.get("unrestricted_logl")), "",
                 _kv("Akaike (AIC)", f.get("aic")), _kv("Bayesian (BIC)", f.get("bic")),
                 _kv("Sample-size adjusted Bayesian (SABIC)", f.get("bic2")), ""]
                if "logl" in f else []),     # no likelihood with WLSMV
              "Root Mean Square Error of Approximation:", "",
              _kv("RMSEA", f.get("rmsea")),
              _kv("90 Percent confidence interval - lower", f.get("rmsea_ci_lower")),
              _kv("90 Percent confidence interval - upper", f.get("rmsea_ci_upper")),
              _kv("P-value H_0: RMSEA <= 0.050", f.get("rmsea_pvalue")),
              _kv("P-value H_0: RMSEA >= 0.080", f.get("rmsea_notclose_pvalue")),
              *_variant_lines(f, [("RMSEA", "rmsea"), ("  90% CI - lower", "rmsea_ci_lower"),
                                  ("  90% CI - upper", "rmsea_ci_upper")]), "",
              "Standardized Root Mean Square Residual:", "",
              _kv("SRMR", f.get("srmr")), "",
              "Parameter Estimates:", "",
              _kv("Standard errors", _SE_LABELS.get((res.design or {}).get("se") or res.options.get("se"), "Standard")),
              *_bootstrap_lines(res.bootstrap),
              _kv("Information", str(res.options.get("information", "expected")).capitalize()),
              _kv("Information saturated (h1) model",
                  str(res.options.get("h1_information", "structured")).capitalize())]
    lines += _parameter_blocks(res)
    if res.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in res.warnings]
    return "\n".join(lines)


_SE_LABELS = {"robust.huber.white": "Sandwich (robust.huber.white)", "robust.sem": "Robust.sem",
              "robust.cluster": "Robust.cluster",
              "bootstrap": "Bootstrap"}


def _bootstrap_lines(boot) -> list[str]:
    """lavaan's bootstrap lines, plus the Bollen-Stine p-value and the BCa note (sem/inference/bootstrap.py)."""
    if not boot:
        return []
    out = [_kv("Number of requested bootstrap draws", boot["replicates"]),
           _kv("Number of successful bootstrap draws", boot["converged"]),
           _kv("Seed", boot["seed"]),
           _kv("Confidence intervals", f"percentile{' and BCa' if 'bca' in boot.get('ci_types', []) else ''}")]
    if boot.get("bollen_stine_pvalue") is not None:
        out.append(_kv("P-value (Bollen-Stine bootstrap)", boot["bollen_stine_pvalue"]))
    return out
_TESTS = {"yuan.bentler.mplus": "Yuan-Bentler correction (Mplus variant)",
          "scaled.shifted": "Scaled and shifted (WLSMV)"}


def _scaled_lines(f: dict, prefix: str, test) -> list[str]:
    """The scaled test of robust estimators (MLR, WLSMV), below the standard one."""
    if f.get(f"{prefix}chisq_scaled") is None:
        return []
    out = [_kv("Test statistic (scaled)", f.get(f"{prefix}chisq_scaled")),
           _kv("P-value (scaled)", f.get(f"{prefix}pvalue_scaled")),
           _kv("Scaling correction factor", f.get(f"{prefix}chisq_scaling_factor"))]
    if f.get(f"{prefix}chisq_shift_parameters") is not None:
        out.append(_kv("Shift parameter", f.get(f"{prefix}chisq_shift_parameters")))
    if test in _TESTS:
        out.append(f"    {_TESTS[test]}")
    return out + [""]


def _variant_lines(f: dict, items) -> list[str]:
    """Scaled and robust versions of fit indices, when the estimator gives them."""
    out = []
    for kind in ("scaled", "robust"):
        out += [_kv(f"{label} ({kind})", f[f"{key}_{kind}"]) for label, key in items if f"{key}_{kind}" in f]
    return out


def _row_text(name: str, label: str, row, dot: bool = False) -> str:
    """One parameter line: name (a leading '.' marks a residual), (label), numbers."""
    lab = f"({label})" if label else ""
    head = ("   ." if dot else "    ") + name
    head = head + " " * max(1, 18 - len(head) - len(lab)) + lab
    fixed = not (isinstance(row["z"], float) and math.isfinite(row["z"]))
    return (f"{head}{_num(row['est'])}"
            + (" " * 27 if fixed else f"{_num(row['se'])}{_num(row['z'])}{_num(row['pvalue'])}")
            + f"{_num(row['std_lv'])}{_num(row['std_all'])}")


def _parameter_blocks(res) -> list[str]:
    if not res.groups:
        return _blocks(res.params, res.r2)
    # multi-group: lavaan prints each group's parameters under "Group g [label]:"
    p = res.params
    lines: list[str] = []
    for g, label in enumerate(res.groups, start=1):
        lines += ["", "", f"Group {g} [{label}]:"]
        lines += _blocks(p[(p["group"] == g) & (p["op"] != ":=")], res.r2.get(label, {}))
    return lines + _blocks(p[p["op"] == ":="], {})


def _blocks(p, r2) -> list[str]:
    endo = set(p.loc[p["op"] == "=~", "rhs"]) | set(p.loc[p["op"] == "~", "lhs"])
    lines: list[str] = []
    for key, title in _SECTIONS:
        if key == "~~cov":
            rows = p[(p["op"] == "~~") & (p["lhs"] != p["rhs"])]
        elif key == "~~var":
            rows = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"])]
        else:
            rows = p[p["op"] == key]
        if rows.empty:
            continue
        lines += ["", title, _COLS]
        if key in ("=~", "~", "~~cov"):
            for lhs in dict.fromkeys(rows["lhs"]):
                head = (f" .{lhs} ~~" if lhs in endo else f"  {lhs} ~~") if key == "~~cov" else f"  {lhs} {key}"
                lines.append(head.ljust(len(_COLS)))
                for _, row in rows[rows["lhs"] == lhs].iterrows():
                    dot = key == "~~cov" and row["rhs"] in endo
                    lines.append(_row_text(row["rhs"], row["label"], row, dot=dot))
        else:
            for _, row in rows.iterrows():
                name = f"{row['lhs']}|{row['rhs']}" if key == "|" else row["lhs"]
                lines.append(_row_text(name, row["label"], row, dot=key != "|" and row["lhs"] in endo))
    if r2:
        lines += ["", "R-Square:", "                   Estimate"]
        lines += [f"    {k:<14}{_num(v)}" for k, v in r2.items()]
    defs = p[p["op"] == ":="]
    if not defs.empty:
        lines += ["", "Defined Parameters:", _COLS]
        lines += [_row_text(row["lhs"], "", row) for _, row in defs.iterrows()]
    return lines
