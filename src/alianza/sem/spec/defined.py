"""`:=` defined parameters: evaluation, delta-method standard errors, standardized values.

A definition reads labels of free parameters (the first row carrying the label, as
lavaan's def.function does) and earlier definitions. Its Jacobian with respect to theta
is taken by complex-step differentiation (exact to rounding, what lavaan's
lav_func_jacobian_complex does), or central differences for abs() and pnorm().
"""
from __future__ import annotations

import ast

import numpy as np
from scipy import special

from alianza.sem.spec.syntax import expression_tree

_FUNCS = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "abs": np.abs, "sin": np.sin,
          "cos": np.cos, "tan": np.tan, "atan": np.arctan, "pnorm": special.ndtr}
_NOT_ANALYTIC = {"abs", "pnorm"}


def _evaluate(node, env):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, env)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _evaluate(node.operand, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _evaluate(node.left, env), _evaluate(node.right, env)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        return a ** b
    if isinstance(node, ast.Call):
        return _FUNCS[node.func.id](_evaluate(node.args[0], env))
    raise ValueError("unsupported expression")          # syntax.py checked the tree already


class Definitions:
    """The model's `:=` rows as a function of theta."""

    def __init__(self, table):
        defs = table[table["op"] == ":="]
        self.names = defs["lhs"].tolist()
        self.trees = [expression_tree(e) for e in defs["rhs"]]
        labels = table["label"].to_numpy()
        par = table["par"].to_numpy()
        self.label_row: dict[str, int] = {}
        for r, lab in enumerate(labels):
            if lab and table["op"].iat[r] != ":=" and lab not in self.label_row:
                self.label_row[lab] = r
        self.label_par = {lab: int(par[r]) for lab, r in self.label_row.items()}
        self.analytic = not any(isinstance(n, ast.Call) and n.func.id in _NOT_ANALYTIC
                                for t in self.trees for n in ast.walk(t))

    def __len__(self):
        return len(self.names)

    def from_labels(self, label_values: dict) -> np.ndarray:
        """Definitions evaluated on label values (numbers or arrays), in order."""
        env = dict(label_values)
        out = []
        with np.errstate(all="ignore"):
            for name, tree in zip(self.names, self.trees):
                env[name] = _evaluate(tree, env)
                out.append(env[name])
        return np.array(out)

    def at_theta(self, theta) -> np.ndarray:
        return self.from_labels({lab: theta[p] for lab, p in self.label_par.items()})

    def at_rows(self, row_values) -> np.ndarray:
        """Definitions evaluated on any per-row values (e.g. standardized ones)."""
        return self.from_labels({lab: row_values[r] for lab, r in self.label_row.items()})

    def jacobian(self, theta) -> np.ndarray:
        theta = np.asarray(theta, float)
        k = len(theta)
        jac = np.zeros((len(self.names), k))
        used = sorted({p for p in self.label_par.values() if p >= 0})
        for j in used:
            if self.analytic:
                h = 1e-20
                x = theta.astype(complex)
                x[j] += 1j * h
                jac[:, j] = np.imag(self.at_theta(x)) / h
            else:
                h = 1e-6 * max(1.0, abs(theta[j]))
                xp, xm = theta.copy(), theta.copy()
                xp[j] += h
                xm[j] -= h
                jac[:, j] = (self.at_theta(xp) - self.at_theta(xm)) / (2 * h)
        return jac
