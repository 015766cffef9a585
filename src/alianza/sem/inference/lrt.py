"""lavTestLRT's difference test for nested WLSMV/ULSMV fits: Satorra (2000), lavaan's default for the
scaled-shifted test (lav_test_diff_Satorra2000 with A.method = "delta", scaled.shifted = TRUE).

With m1 the general model (its Jacobians PI_g, weights W_g and expected information P) and m0 the
restricted one (its Jacobians at its own estimates): H = PI1^+ PI0, A' the orthogonal complement of
H, and with Q = P^-1 A' (A P^-1 A')^+ A P^-1
    tr1 = sum_g f_g tr(W_g Gamma_g W_g PI_g Q PI_g'),
    tr2 = tr((V PI Q PI' V  bdiag(f_g Gamma_g))^2),  V = bdiag(W_g),
    a = sqrt(m / tr2),  b = m - a tr1,  T = (T0 - T1) a + b   on m = df0 - df1 degrees of freedom.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import block_diag, null_space

from alianza.sem.inference.distributions import chi2_sf


def satorra_2000(restricted, general) -> dict:
    """{chisq_diff, df_diff, pvalue, a, b} of two WLSMV fits (SemFit with `wls`), restricted first."""
    m1, m0 = general.wls, restricted.wls
    df = int(restricted.fit["df"] - general.fit["df"])
    diff = float(restricted.fit["chisq"] - general.fit["chisq"])
    if df <= 0:
        return {"chisq_diff": diff, "df_diff": df, "pvalue": float("nan"), "a": float("nan"), "b": float("nan")}
    PI = np.vstack(m1["delta"])
    D0 = np.vstack(m0["delta"])
    H = np.linalg.pinv(PI) @ D0
    A = null_space(H.T).T                 # rows span the orthogonal complement of H's columns
    P_inv = np.linalg.inv(m1["information"])
    APA = A @ P_inv @ A.T
    Q = P_inv @ A.T @ np.linalg.pinv(APA) @ A @ P_inv
    fg = m1["fg"]
    tr1, rows = 0.0, []
    offset = 0
    for w, W, G, D in zip(fg, m1["weights"], m1["gamma"], m1["delta"]):
        WD = W[:, None] * D
        tr1 += w * float(np.sum((W[:, None] * G * W[None, :]) * (D @ Q @ D.T).T))
        rows.append(WD)
        offset += len(D)
    VPI = np.vstack(rows)
    U = VPI @ Q @ VPI.T
    UG = U @ block_diag(*[w * G for w, G in zip(fg, m1["gamma"])])
    tr2 = float(np.sum(UG * UG.T))
    a = np.sqrt(df / tr2)
    b = df - a * tr1
    stat = diff * a + b
    return {"chisq_diff": float(stat), "df_diff": df, "pvalue": float(chi2_sf(stat, df)), "a": float(a),
            "b": float(b)}
