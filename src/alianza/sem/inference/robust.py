"""Robust ML (lavaan's estimator = "MLR"): sandwich standard errors, the Yuan-Bentler
scaled chi-square (Mplus variant, test = "yuan.bentler.mplus") and the robust fit indices,
for complete data and for FIML.

Transcribes lavaan 0.6.14 (lav_model_nvcov_robust_sandwich, lav_test_yuan_bentler,
lav_test_yuan_bentler_mplus_trace, lav_fit_cfi/tli/rmsea with c.hat, lav_fit_fiml_corrected).
All information matrices are per observation:
  E   observed information of the model (Hessian of -logl/N at the estimates, "bread"),
  B0  first-order information of the model, Delta' B1 Delta with B1 the cross-product of the
      casewise scores at the model-implied moments ("meat", h1.information = "structured"),
  A1, B1 (unstructured) the observed and first-order information of the saturated model at
      the sample (complete data) or EM (FIML) moments, for the test (Mplus variant).
    vcov = E^-1 B0 E^-1 / N
    c    = (tr(A1^-1 B1) - tr(E^-1 B0)) / df,   chisq_scaled = chisq / c.
h1 matrices live in (mu, vech Sigma) coordinates (sem/data/fiml.py); traces do not depend on them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from alianza.sem.inference.distributions import chi2_cdf, ncx2_cdf, ncx2_noncentrality

from alianza.sem.inference import fitmeasures as fm
from alianza.sem.data.fiml import (CasewiseML, Patterns, h1_derivatives, h1_observed_information, padded_inverse,
                   casewise_scores, score_crossprod, to_vech, vech_index)
from alianza.sem.matrices.model import ml_discrepancy


def vech_jacobian(structure, theta, meanstructure: bool) -> np.ndarray:
    """Delta: derivatives of (mu, vech Sigma) (or vech Sigma alone) with respect to theta."""
    dsig, dmu = structure.jacobian(theta)
    r, c = vech_index(dsig.shape[1])
    rows = dsig[:, r, c].T
    return np.vstack([dmu.T, rows]) if meanstructure else rows


@dataclass
class H1Information:
    """Observed (A1) and first-order (B1) information of the saturated model, unstructured."""
    A1: np.ndarray
    B1: np.ndarray


def h1_information(pat: Patterns, mean, cov, meanstructure: bool) -> H1Information:
    p = pat.p
    A, _ = padded_inverse(cov, pat.mask)
    a1 = h1_observed_information(pat, h1_derivatives(pat, mean, cov, A))
    sc = to_vech(casewise_scores(pat, mean, cov, A), p, meanstructure=meanstructure, bilinear=False)
    return H1Information(to_vech(a1, p, meanstructure=meanstructure), score_crossprod(pat, sc))


def first_order(obj: CasewiseML, theta) -> np.ndarray:
    """B0 = J B1 J' (per observation), scores at the model-implied moments (weighted and summed
    within clusters when the data have a design: lavaan's robust.cluster meat)."""
    from alianza.sem.data.fiml import full_jacobian

    return score_crossprod(obj.pat, obj.scores(theta) @ full_jacobian(obj.s, theta).T)


def sandwich(E_inv: np.ndarray, B0: np.ndarray, n: int) -> np.ndarray:
    return E_inv @ B0 @ E_inv / n


@dataclass
class ScaledTest:
    stat: float
    df: float
    pvalue: float
    scaling_factor: float
    trace_ugamma: float
    h1: float       # scaling.factor.h1: tr(A1^-1 B1) / ndat
    h0: float       # scaling.factor.h0: tr(E^-1 B0) / npar


def yuan_bentler_mplus(chisq: float, df: int, h1: H1Information, E_inv: np.ndarray,
                       B0: np.ndarray) -> ScaledTest:
    trace_h1 = float(np.sum(h1.B1 * np.linalg.inv(h1.A1).T))
    trace_h0 = float(np.sum(B0 * E_inv.T))
    trace = trace_h1 - trace_h0
    npar = E_inv.shape[0]
    ndat = h1.A1.shape[0]
    if df <= 0:
        return ScaledTest(chisq, df, float("nan"), float("nan"), trace, trace_h1 / ndat,
                          trace_h0 / max(npar, 1))
    c = trace / df
    if c < 0:
        c = float("nan")
    stat = chisq / c
    return ScaledTest(stat, df, fm.chisq_pvalue(stat, df), c, trace, trace_h1 / ndat,
                      trace_h0 / max(npar, 1))


# -- fit indices with a scaling correction (lav_fit_cfi / lav_fit_tli / lav_fit_rmsea, c.hat) --
def _corrected(c_hat, c_hat_null, df) -> bool:
    return df > 0 and c_hat != 1 and c_hat_null != 1


def cfi_robust(x2, df, x2_null, df_null, c_hat, c_hat_null) -> float:
    if any(not np.isfinite(v) for v in (x2, df, x2_null, df_null, c_hat, c_hat_null)):
        return float("nan")
    if _corrected(c_hat, c_hat_null, df):
        t1 = max(x2 - c_hat * df, 0.0)
        t2 = max(x2 - c_hat * df, x2_null - c_hat_null * df_null, 0.0)
    else:
        t1, t2 = max(x2 - df, 0.0), max(x2 - df, x2_null - df_null, 0.0)
    if abs(t1) <= 1.5e-8 and abs(t2) <= 1.5e-8:
        return 1.0
    return 1.0 - t1 / t2


def tli_robust(x2, df, x2_null, df_null, c_hat, c_hat_null) -> float:
    if any(not np.isfinite(v) for v in (x2, df, x2_null, df_null, c_hat, c_hat_null)):
        return float("nan")
    if _corrected(c_hat, c_hat_null, df):
        t1 = (x2 - c_hat * df) * df_null
        t2 = (x2_null - c_hat_null * df_null) * df
    else:
        t1, t2 = (x2 - df) * df_null, (x2_null - df_null) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rni_robust(x2, df, x2_null, df_null, c_hat, c_hat_null) -> float:
    if any(not np.isfinite(v) for v in (x2, df, x2_null, df_null, c_hat, c_hat_null)):
        return float("nan")
    if _corrected(c_hat, c_hat_null, df):
        t1, t2 = x2 - c_hat * df, x2_null - c_hat_null * df_null
    else:
        t1, t2 = x2 - df, x2_null - df_null
    return float("nan") if abs(t2) <= 1.5e-8 else 1.0 - t1 / t2


def rmsea_chat(x2, df, n, c_hat=1.0, groups=1) -> float:
    if not (np.isfinite(x2) and np.isfinite(df) and np.isfinite(c_hat)):
        return float("nan")
    return math.sqrt(max(x2 / n / df - c_hat / n, 0.0)) * math.sqrt(groups) if df > 0 else 0.0


def rmsea_ci_chat(x2, df, n, c_hat=1.0, level=0.90, groups=1):
    """lav_fit_rmsea_ci with c.hat: the noncentrality bounds are scaled by c.hat (and sqrt(G))."""
    if not (np.isfinite(x2) and np.isfinite(df) and np.isfinite(c_hat)):
        return float("nan"), float("nan")
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return ncx2_cdf(x2, df, lam) if lam > 0 else chi2_cdf(x2, df)

    if df < 1 or cdf(0.0) - upper_p < 0:
        lo = 0.0
    else:
        lam = ncx2_noncentrality(x2, df, upper_p)
        lo = math.sqrt(c_hat * lam / (n * df)) * math.sqrt(groups)
    n_rmsea = max(n, x2 * 4)
    if df < 1 or cdf(n_rmsea) - lower_p > 0 or cdf(0.0) - lower_p < 0:
        hi = 0.0
    else:
        lam = ncx2_noncentrality(x2, df, lower_p)
        hi = math.sqrt(c_hat * lam / (n * df)) * math.sqrt(groups)
    return lo, hi


def rmsea_pvalue_chat(x2, df, n, c_hat=1.0, h0=0.05, close=True, groups=1) -> float:
    if df <= 0 or not (np.isfinite(x2) and np.isfinite(c_hat)):
        return float("nan")
    ncp = n * df / c_hat * h0 ** 2 / groups
    p = ncx2_cdf(x2, df, ncp)
    return float(1 - p) if close else float(p)


def scaled_indices(x2_scaled, df, x2_null_scaled, df_null, n, rmsea_x2, rmsea_df, groups=1) -> dict:
    """The `.scaled` fit measures: the incremental indices from the scaled statistics; the
    RMSEA from (rmsea_x2, rmsea_df), which lavaan takes as (chisq, c * df) for the Yuan-Bentler
    test and (scaled chisq, df) for the scaled-and-shifted one."""
    x2, x2n = x2_scaled, x2_null_scaled
    ok = np.isfinite(rmsea_df) and rmsea_df != 0
    lo, hi = rmsea_ci_chat(rmsea_x2, rmsea_df, n, groups=groups) if ok else (float("nan"), float("nan"))
    return {
        "cfi_scaled": fm.cfi(x2, df, x2n, df_null), "tli_scaled": fm.tli(x2, df, x2n, df_null),
        "nnfi_scaled": fm.tli(x2, df, x2n, df_null), "rfi_scaled": fm.rfi(x2, df, x2n, df_null),
        "nfi_scaled": fm.nfi(x2, df, x2n, df_null), "pnfi_scaled": fm.pnfi(x2, df, x2n, df_null),
        "ifi_scaled": fm.ifi(x2, df, x2n, df_null), "rni_scaled": fm.rni(x2, df, x2n, df_null),
        "rmsea_scaled": rmsea_chat(rmsea_x2, rmsea_df, n, groups=groups) if ok else float("nan"),
        "rmsea_ci_lower_scaled": lo, "rmsea_ci_upper_scaled": hi,
        "rmsea_pvalue_scaled": rmsea_pvalue_chat(rmsea_x2, rmsea_df, n, h0=0.05, close=True, groups=groups)
        if ok else float("nan"),
        "rmsea_notclose_pvalue_scaled": rmsea_pvalue_chat(rmsea_x2, rmsea_df, n, h0=0.08, close=False,
                                                          groups=groups)
        if ok else float("nan"),
    }


def robust_indices(x2, df, n, c_hat, x2_scaled, x2_null, df_null, c_hat_null, groups=1) -> dict:
    """The `.robust` fit measures (Brosseau-Liard, Savalei & Li 2012; Savalei 2018 for FIML)."""
    lo, hi = rmsea_ci_chat(x2_scaled, df, n, c_hat, groups=groups)
    return {
        "cfi_robust": cfi_robust(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "tli_robust": tli_robust(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "nnfi_robust": tli_robust(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "rni_robust": rni_robust(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "rmsea_robust": rmsea_chat(x2, df, n, c_hat, groups=groups),
        "rmsea_ci_lower_robust": lo, "rmsea_ci_upper_robust": hi,
        "rmsea_pvalue_robust": rmsea_pvalue_chat(x2_scaled, df, n, c_hat, h0=0.05, close=True, groups=groups),
        "rmsea_notclose_pvalue_robust": rmsea_pvalue_chat(x2_scaled, df, n, c_hat, h0=0.08, close=False,
                                                          groups=groups),
    }


# -- FIML: the corrected statistics behind lavaan's robust indices (lav_fit_fiml_corrected) ----
@dataclass
class FimlCorrected:
    xx3: float
    c_hat3: float
    xx3_scaled: float
    xx3_null: float
    c_hat3_null: float


def fiml_corrected(version: str, pats: list[Patterns], h1_moments, n: int, df: int, base_df: int,
                   model_moments, model_deltas, base_moments, base_deltas, x_idx=()) -> FimlCorrected:
    """Savalei's (2018) FIML-C over G groups: the complete-data chi-square of the FIML estimates
    against the EM moments (XX3) and its scaling c.hat3; V6 without, V3 with a scaled test.

    Per group g (lists): h1_moments (mean, cov) of the EM saturated model, model_moments and
    base_moments (Sigma, mu) at the estimates, *_deltas the (mu, vech) Jacobians with respect to
    all of the model's (or baseline's) parameters. The h1 matrices enter block-diagonally with
    lavaan's weights fg = N_g / N (lav_fit_fiml_corrected, 0.6.14). The coordinates of the fixed.x
    covariates' own moments (`x_idx`) are left out, as lavaan's h1 information masks them.
    """
    from scipy.linalg import block_diag

    fg = np.array([pat.n for pat in pats], float) / n
    p0 = pats[0].p
    keep = non_x_coordinates(p0, x_idx)
    model_deltas = [d[keep] for d in model_deltas]
    base_deltas = [d[keep] for d in base_deltas]
    Wm, Wmi, Wc, gamma = [], [], [], []
    for w, pat, (mean, cov) in zip(fg, pats, h1_moments):
        p = pat.p
        h1 = h1_information(pat, mean, cov, True)
        sinv = np.linalg.inv(cov)
        # complete-data information of the saturated model at the EM moments (fit.tilde's h1)
        wc_full = np.zeros((p + p * p, p + p * p))
        wc_full[:p, :p] = sinv
        wc_full[p:, p:] = 0.5 * np.kron(sinv, sinv)
        A1, B1, wc = h1.A1[np.ix_(keep, keep)], h1.B1[np.ix_(keep, keep)], to_vech(wc_full, p)[np.ix_(keep, keep)]
        wm_inv = np.linalg.inv(A1)
        Wm.append(w * A1)
        Wmi.append(wm_inv / w)
        Wc.append(w * wc)
        gamma.append(wm_inv @ B1 @ wm_inv / w)
    Wm_all, Wmi_all, Wc_all, gamma_all = (block_diag(*m) for m in (Wm, Wmi, Wc, gamma))

    def k_fimlc(deltas):
        delta = np.vstack(deltas)
        E_inv = np.linalg.inv(delta.T @ Wm_all @ delta)
        U = Wm_all - Wm_all @ delta @ E_inv @ delta.T @ Wm_all
        if version == "V3":
            return float(np.trace(U @ Wmi_all @ Wc_all @ Wmi_all @ U @ gamma_all))
        return float(np.trace(Wc_all @ Wmi_all @ U @ Wmi_all))

    def xx(moments):
        return sum(2 * pat.n * ml_discrepancy(sigma, mu, cov, mean, True)
                   for pat, (sigma, mu), (mean, cov) in zip(pats, moments, h1_moments))

    xx3 = xx(model_moments)
    c3 = k_fimlc(model_deltas) / df if df > 0 else float("nan")
    xx3_null = xx(base_moments)
    c3_null = k_fimlc(base_deltas) / base_df
    return FimlCorrected(xx3, c3, xx3 / c3, xx3_null, c3_null)


def non_x_coordinates(p: int, x_idx) -> np.ndarray:
    """Mask of the (mu, vech Sigma) coordinates that are not moments of the fixed.x covariates alone."""
    xs = set(int(i) for i in x_idx)
    r, c = vech_index(p)
    mean_x = np.isin(np.arange(p), list(xs))
    cov_x = np.array([a in xs and b in xs for a, b in zip(r, c)], dtype=bool)
    return ~np.concatenate([mean_x, cov_x])
