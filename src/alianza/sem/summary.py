"""lavaan-like text summary of a SemFit (the layout of lavaan's summary(fit, fit.measures =
TRUE, standardized = TRUE, rsquare = TRUE)), so a lavaan user reads it at a glance."""
from __future__ import annotations

import math

import numpy as np

from .. import __version__

_SECTIONS = [("=~", "Latent Variables:"), ("~", "Regressions:"), ("~~cov", "Covariances:"),
             ("~1", "Intercepts:"), ("~~var", "Variances:")]
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
    it = res.extra.get("iterations")
    lines.append(f"alianza {__version__} (lavaan 0.6.14 definitions) {status}"
                 + (f" after {it} iterations" if it is not None else ""))
    lines.append("")
    lines.append(_kv("Estimator", res.estimator))
    lines.append(_kv("Number of model parameters", f.get("npar")))
    lines.append("")
    lines.append(_kv("Number of observations", res.n))
    if res.n_dropped:
        lines.append(_kv("Rows dropped (listwise deletion)", res.n_dropped))
    lines += ["", "Model Test User Model:", "",
              _kv("Test statistic", f.get("chisq")), _kv("Degrees of freedom", f.get("df")),
              _kv("P-value (Chi-square)", f.get("pvalue")), "",
              "Model Test Baseline Model:", "",
              _kv("Test statistic", f.get("baseline_chisq")), _kv("Degrees of freedom", f.get("baseline_df")),
              _kv("P-value", f.get("baseline_pvalue")), "",
              "User Model versus Baseline Model:", "",
              _kv("Comparative Fit Index (CFI)", f.get("cfi")), _kv("Tucker-Lewis Index (TLI)", f.get("tli")), "",
              "Loglikelihood and Information Criteria:", "",
              _kv("Loglikelihood user model (H0)", f.get("logl")),
              _kv("Loglikelihood unrestricted model (H1)", f.get("unrestricted_logl")), "",
              _kv("Akaike (AIC)", f.get("aic")), _kv("Bayesian (BIC)", f.get("bic")),
              _kv("Sample-size adjusted Bayesian (SABIC)", f.get("bic2")), "",
              "Root Mean Square Error of Approximation:", "",
              _kv("RMSEA", f.get("rmsea")),
              _kv("90 Percent confidence interval - lower", f.get("rmsea_ci_lower")),
              _kv("90 Percent confidence interval - upper", f.get("rmsea_ci_upper")),
              _kv("P-value H_0: RMSEA <= 0.050", f.get("rmsea_pvalue")),
              _kv("P-value H_0: RMSEA >= 0.080", f.get("rmsea_notclose_pvalue")), "",
              "Standardized Root Mean Square Residual:", "",
              _kv("SRMR", f.get("srmr")), "",
              "Parameter Estimates:", "",
              _kv("Standard errors", "Standard"), _kv("Information", "Expected"),
              _kv("Information saturated (h1) model", "Structured")]
    lines += _parameter_blocks(res)
    if res.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in res.warnings]
    return "\n".join(lines)


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
    p = res.params
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
                lines.append(_row_text(row["lhs"], row["label"], row, dot=row["lhs"] in endo))
    if res.r2:
        lines += ["", "R-Square:", "                   Estimate"]
        lines += [f"    {k:<14}{_num(v)}" for k, v in res.r2.items()]
    defs = p[p["op"] == ":="]
    if not defs.empty:
        lines += ["", "Defined Parameters:", _COLS]
        lines += [_row_text(row["lhs"], "", row) for _, row in defs.iterrows()]
    return lines
