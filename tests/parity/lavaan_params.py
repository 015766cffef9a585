"""Compare a fit's parameter table with lavaan's parameterEstimates() recorded in a fixture."""
from __future__ import annotations

import numpy as np
import pandas as pd


def assert_params_match(name: str, ref_params, params: pd.DataFrame, atol: float = 0.002) -> None:
    """est, se and std_all within `atol`, matched on lhs, op, rhs and group (defined
    parameters, `:=`, carry group 0 in a single-group table, as lavaan's do)."""
    ref = pd.DataFrame(ref_params).rename(columns=lambda c: c.replace(".", "_"))
    if "group" not in ref:
        ref["group"] = 1
    mine = params.copy()
    if "group" not in mine:
        mine["group"] = np.where(mine["op"] == ":=", 0, 1)
    key = ["lhs", "op", "rhs", "group"]
    both = ref.merge(mine, on=key, suffixes=("_r", "_a"), how="left")
    assert both["est_a"].notna().all(), f"{name}: rows missing {both.loc[both['est_a'].isna(), key].values[:3]}"
    assert np.allclose(both["est_a"], both["est_r"], atol=atol), name
    assert np.allclose(both["se_a"], both["se_r"], atol=atol, equal_nan=True), name
    assert np.allclose(both["std_all_a"], both["std_all_r"], atol=atol, equal_nan=True), name
