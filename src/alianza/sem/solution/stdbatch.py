"""std.all of many solutions at once (bootstrap replicates), with standardize.py's rules.

lavaan's std.all of a row is its estimate times a product of factors, each the implied
SD (or variance) of lhs or rhs, or the "residual" SD sqrt(|estimate|) of a variance row
(lav_standardize_lv / lav_standardize_all with cov.std = TRUE). The factors depend only
on the row's operator and on which side is latent, so they are worked out once per
partable and then applied to a whole matrix of replicates with a few vector operations.
`:=` rows are the definitions evaluated on the standardized rows, as standardize.py does.
"""
from __future__ import annotations

import numpy as np

from alianza.sem.spec.defined import Definitions

# factor kinds: total SD of a latent (NaN if its variance < 0), total SD of an observed
# variable (NaN if |var| < eps or var < 0), total variance of an observed variable
# (NaN if |var| < eps), residual SD sqrt(|est|) of the variable's variance row
LV_SD, OV_SD, OV_VAR, RES_SD = range(4)


class BatchStandardizer:
    def __init__(self, table, ov: list[str], lv: list[str]):
        lhs, op, rhs = table["lhs"].to_numpy(), table["op"].to_numpy(), table["rhs"].to_numpy()
        self.nrows = len(table)
        self.p = len(ov)
        var_index = {v: i for i, v in enumerate(list(ov) + list(lv))}
        lvs, ovs = set(lv), set(ov)
        var_row: dict[str, int] = {}          # first variance row of each variable
        for r, (l, o, rr) in enumerate(zip(lhs, op, rhs)):
            if o == "~~" and l == rr and l not in var_row:
                var_row[l] = r
        factors: list[tuple[int, int, int, int]] = []   # (row, kind, variable or row, power)

        def add(r, kind, name, power):
            if kind == RES_SD:
                target = var_row.get(name, -1)
            else:
                target = var_index.get(name, -1)
            factors.append((r, kind, target, power))

        for r, (l, o, rr) in enumerate(zip(lhs, op, rhs)):
            if o == "=~":
                add(r, LV_SD, l, 1)
                if rr in lvs:
                    add(r, LV_SD, rr, -1)
                else:
                    add(r, OV_SD, rr, -1)
            elif o == "~":
                if l in lvs:
                    add(r, LV_SD, l, -1)
                if rr in lvs:
                    add(r, LV_SD, rr, 1)
                if l in ovs:
                    add(r, OV_SD, l, -1)
                if rr in ovs:
                    add(r, OV_SD, rr, 1)
            elif o == "~~" and l == rr:
                if l in lvs:
                    add(r, LV_SD, l, -2)
                else:
                    add(r, OV_VAR, l, -1)
            elif o == "~~":
                add(r, RES_SD, l, -1)
                add(r, RES_SD, rr, -1)
            elif o == "~1":
                add(r, LV_SD if l in lvs else OV_SD, l, -1)
        self.factors = factors
        self.defs = Definitions(table)
        self.def_rows = np.flatnonzero(op == ":=")

    def std_all(self, values: np.ndarray, variances: np.ndarray) -> np.ndarray:
        """values: R x rows (row estimates), variances: R x (observed + latent) implied."""
        values = np.asarray(values, float)
        var = np.asarray(variances, float)
        p = self.p
        eps = np.finfo(float).eps
        lv_var = np.where(var[:, p:] < 0, np.nan, var[:, p:])
        ov_var = np.where(np.abs(var[:, :p]) < eps, np.nan, var[:, :p])
        with np.errstate(invalid="ignore", divide="ignore"):
            sources = {
                LV_SD: np.concatenate([np.full_like(ov_var, np.nan), np.sqrt(lv_var)], axis=1),
                OV_SD: np.concatenate([np.sqrt(np.where(ov_var < 0, np.nan, ov_var)),
                                       np.full_like(lv_var, np.nan)], axis=1),
                OV_VAR: np.concatenate([ov_var, np.full_like(lv_var, np.nan)], axis=1),
                RES_SD: np.sqrt(np.abs(values)),
            }
            out = values.copy()
            for r, kind, target, power in self.factors:
                f = sources[kind][:, target] if target >= 0 else np.nan
                out[:, r] = out[:, r] * (f ** power if power != 1 else f)
            if len(self.def_rows):
                out[:, self.def_rows] = self.defs.at_rows(out.T).T
        return out
