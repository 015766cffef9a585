"""std.lv reflects a factor whose first loading comes out negative (lavaan's sign convention). The
standard errors are then those of the reflected solution: the same data with the first item
re-keyed (no reflection needed) gives the same SEs, also of `:=` products of reflected paths."""
import numpy as np
import pandas as pd
import pytest

from alianza.sem import fit

MODEL = "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nf2 ~ a*f1\ny ~ b*f2\nab := a*b"


def _data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    f1 = rng.standard_normal(n)
    f2 = 0.5 * f1 + 0.8 * rng.standard_normal(n)
    d = pd.DataFrame({"x1": -0.8 * f1, "x2": 0.7 * f1, "x3": 0.6 * f1,      # x1 reverse-keyed
                      "x4": 0.8 * f2, "x5": 0.7 * f2, "x6": 0.6 * f2})
    d += 0.6 * rng.standard_normal(d.shape)
    d["y"] = 0.4 * f2 + rng.standard_normal(n)
    d["g"] = np.where(np.arange(n) % 2, "a", "b")
    return d


@pytest.mark.parametrize("options", [{}, {"group": "g", "group_equal": ["loadings"]}])
def test_reflected_solution_has_the_reflected_standard_errors(options):
    data = _data()
    rekeyed = data.assign(x1=-data["x1"])
    reflected, plain = fit(MODEL, data, std_lv=True, **options), fit(MODEL, rekeyed, std_lv=True, **options)
    p, q = reflected.params, plain.params
    first = (p["op"] == "=~") & (p["rhs"] == "x1")
    assert (p.loc[first, "est"] > 0).all()                      # reflected: the first loading positive
    assert (p.loc[p["op"] == "~", "est"].iloc[0] < 0)            # so f1 -> f2 changed sign
    np.testing.assert_allclose(np.abs(p["est"]), np.abs(q["est"]), atol=1e-7)
    np.testing.assert_allclose(p["se"], q["se"], rtol=1e-6, atol=1e-9)
