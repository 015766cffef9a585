"""lavaan model syntax -> a flat list of formulas (lavaan's FLAT), with line numbers.

Follows lavaan 0.6.14's lavParseModelString: `#`/`!` comments, `;` or newline between
formulas, a line without an operator continues the previous formula, `+` between terms,
modifiers before `*` (label `a*x`, fixed `1*x`, free `NA*x`, `start(.5)*x`, `label("a")*x`,
`equal("a")*x`, `c(...)` vectors for groups), `~ 1` intercepts and `:=` definitions.
Every error raises ModelSyntaxError naming the line of the model text.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from alianza.errors import ModelSyntaxError

# Order matters: the first operator found in a formula wins, as in lavaan.
_OPERATORS = ["=~", "<~", "~*~", "~~", "~", "==", "<", ">", ":=", ":", "|", "%"]
_SUPPORTED = {"=~", "~~", "~", ":="}
_NAME = re.compile(r"^(?:[^\W\d]|\.(?!\d))[\w.]*$")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_R_RESERVED = {"if", "else", "repeat", "while", "function", "for", "in", "next", "break",
               "TRUE", "FALSE", "NULL", "Inf", "NaN", "NA"}
# Functions a `:=` definition may call (R's names; defined.py evaluates them).
DEF_FUNCTIONS = {"sqrt", "exp", "log", "abs", "sin", "cos", "tan", "atan", "pnorm"}


@dataclass
class Formula:
    """One lhs-op-rhs element of the user's model, with its modifiers."""
    lhs: str
    op: str
    rhs: str
    line: int
    fixed: list | None = None     # fixed values per group (None entry = NA = free)
    start: list | None = None
    label: list | None = None
    lower: list | None = None
    upper: list | None = None


@dataclass
class Definition:
    """`name := expression` (a defined parameter)."""
    name: str
    expr: str            # as lavaan stores it: whitespace removed, R syntax
    line: int
    labels: list[str] = field(default_factory=list)   # names the expression reads


@dataclass
class ParsedModel:
    formulas: list[Formula]
    definitions: list[Definition]
    text: str

    @property
    def meanstructure_requested(self) -> bool:
        """lavaan switches meanstructure on when the syntax has any `~1` formula."""
        return any(f.op == "~1" for f in self.formulas)


def parse_model(text: str) -> ParsedModel:
    """Parse lavaan model syntax. Raises ModelSyntaxError (with the line number)."""
    if not isinstance(text, str) or not text.strip():
        raise ModelSyntaxError("empty model syntax")
    statements = _statements(text)
    if not statements:
        raise ModelSyntaxError("model does not contain lavaan syntax (no operators found)")
    formulas: list[Formula] = []
    definitions: list[Definition] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, stmt in statements:
        op = _find_operator(stmt)
        if op not in _SUPPORTED:
            raise ModelSyntaxError(f"operator {op!r} is not supported (yet) in: {stmt}", row=line)
        pos = _blank_quotes(stmt).index(op)
        lhs, rhs = stmt[:pos], stmt[pos + len(op):]
        if op == ":=":
            definitions.append(_definition(lhs, rhs, line))
            continue
        if rhs.startswith("+"):
            rhs = rhs[1:]
        if not lhs:
            raise ModelSyntaxError(f"missing left-hand side in: {stmt}", row=line)
        if not rhs:
            raise ModelSyntaxError(f"missing right-hand side in: {stmt}", row=line)
        lhs_names = [_check_name(n, line, stmt) for n in _split_top(lhs, "+")]
        terms = _parse_terms(rhs, op, line, stmt)
        for lname in lhs_names:
            for rname, mods in terms:
                this_op = op
                if rname == "":               # `y ~ 1` (or `y ~ 0`): an intercept
                    if op != "~":
                        raise ModelSyntaxError(f"invalid right-hand side '1' or '0' for {op!r} in: {stmt}", row=line)
                    this_op = "~1"
                if op == "=~" and rname == lname:
                    raise ModelSyntaxError(f"latent variable {lname!r} can not be measured by itself", row=line)
                if op in ("~",) and rname == lname:
                    raise ModelSyntaxError(f"{lname!r} is regressed on itself in: {stmt}", row=line)
                key = (lname, this_op, rname)
                alt = (rname, this_op, lname) if this_op == "~~" else key
                for k in (key, alt):
                    if k in seen:
                        raise ModelSyntaxError(
                            f"duplicate model element {lname} {this_op} {rname} (first on line {seen[k]})", row=line)
                seen[key] = line
                formulas.append(Formula(lname, this_op, rname, line, **mods))
    if not formulas:
        raise ModelSyntaxError("model has no formulas besides definitions")
    known = {lab for f in formulas for lab in (f.label or []) if lab}
    defined: set[str] = set()
    for d in definitions:
        if d.name in known or d.name in defined:
            raise ModelSyntaxError(f"defined parameter {d.name!r} reuses an existing name", row=d.line)
        unknown = [lab for lab in d.labels if lab not in known and lab not in defined]
        if unknown:
            raise ModelSyntaxError(f"unknown label(s) in definition of {d.name!r}: {', '.join(unknown)}", row=d.line)
        defined.add(d.name)
    return ParsedModel(formulas, definitions, text)


# --------------------------------------------------------------------------- statements

def _statements(text: str) -> list[tuple[int, str]]:
    """(line number, statement without whitespace); continuation lines join the previous one."""
    out: list[list] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        code = _strip_comment(raw)
        for piece in code.split(";"):
            piece = re.sub(r"\s+", "", piece)
            if not piece:
                continue
            has_op = _find_operator(piece) is not None
            if has_op:
                if piece.startswith("+"):
                    raise ModelSyntaxError(f"formula starts with a plus (+) sign: {piece}", row=lineno)
                out.append([lineno, piece])
            elif out:
                out[-1][1] += piece               # continuation of the previous formula
            else:
                raise ModelSyntaxError(f"no operator found in: {piece}", row=lineno)
    return [(ln, s) for ln, s in out]


def _strip_comment(line: str) -> str:
    """Drop `#` or `!` comments (not inside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "#!":
            return line[:i]
    return line


def _blank_quotes(s: str) -> str:
    """Replace quoted text by underscores so operators inside labels are not seen."""
    return re.sub(r"\"[^\"]*\"|'[^']*'", lambda m: "_" * len(m.group(0)), s)


def _find_operator(stmt: str) -> str | None:
    """lavaan's precedence: the first operator of _OPERATORS present in the formula."""
    simple = _blank_quotes(stmt)
    return next((op for op in _OPERATORS if op in simple), None)


def _split_top(s: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses and quotes."""
    parts, depth, quote, cur = [], 0, None, []
    for i, ch in enumerate(s):
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            # `1e+2` inside a number is not a separator
            prev = "".join(cur)
            if sep == "+" and re.search(r"(?:^|[^\w.])\d+\.?\d*[eE]$", prev):
                cur.append(ch)
                continue
            parts.append(prev)
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _check_name(name: str, line: int, stmt: str) -> str:
    if not name or not _NAME.match(name) or name in _R_RESERVED:
        raise ModelSyntaxError(f"invalid variable name {name!r} in: {stmt}", row=line)
    return name


# --------------------------------------------------------------------------- rhs terms

def _parse_terms(rhs: str, op: str, line: int, stmt: str) -> list[tuple[str, dict]]:
    """rhs -> [(variable name, modifiers)], duplicated names merged like lavaan."""
    # lavaan's `0.5?x` shorthand for start(0.5)*x
    rhs = re.sub(r"\(?([-]?[0-9]*\.?[0-9]*)\)?\?", r"start(\1)*", rhs)
    terms: dict[str, dict] = {}
    order: list[str] = []
    for term in _split_top(rhs, "+"):
        if term == "":
            raise ModelSyntaxError(f"empty term (a stray '+') in: {stmt}", row=line)
        pieces = _split_top(term, "*")
        var, mods = pieces[-1], pieces[:-1]
        if any(p == "" for p in pieces):
            raise ModelSyntaxError(f"incomplete term {term!r} in: {stmt}", row=line)
        parsed: dict = {}
        if var in ("1", "0") or _NUMBER.match(var):
            if op != "~" or var not in ("1", "0"):
                raise ModelSyntaxError(f"right-hand side contains an invalid variable name {var!r} in: {stmt}", row=line)
            if var == "0":
                parsed["fixed"] = [0.0]
            name = ""
        else:
            name = _check_name(var, line, stmt)
        for m in mods:
            for key, val in _parse_modifier(m, line, stmt).items():
                if key in parsed:
                    raise ModelSyntaxError(f"more than one {key} modifier for {var!r} in: {stmt}", row=line)
                parsed[key] = val
        if name in terms:
            for key, val in parsed.items():
                if key in terms[name]:
                    raise ModelSyntaxError(f"more than one {key} modifier for {var!r} in: {stmt}", row=line)
                terms[name][key] = val
        else:
            terms[name] = parsed
            order.append(name)
    return [(n, terms[n]) for n in order]


def _parse_modifier(mod: str, line: int, stmt: str) -> dict:
    """One modifier (the part before `*`) -> {"fixed"|"start"|"label"|...: [values per group]}."""
    if mod == "NA":
        return {"fixed": [None]}
    if _NUMBER.match(mod):
        return {"fixed": [float(mod)]}
    if _NAME.match(mod) and mod not in _R_RESERVED:
        return {"label": [mod]}
    if re.fullmatch(r"\"[^\"]*\"|'[^']*'", mod):
        return {"label": [mod[1:-1]]}
    m = re.fullmatch(r"([A-Za-z_.][\w.]*)\((.*)\)", mod)
    if not m:
        raise ModelSyntaxError(f"can not parse modifier {mod!r} in: {stmt}", row=line)
    func, args = m.group(1), [a for a in _split_top(m.group(2), ",")]
    values = [_modifier_value(a, line, stmt) for a in args]
    if func in ("start", "lower", "upper"):
        if not all(v is None or isinstance(v, float) for v in values):
            raise ModelSyntaxError(f"{func}() needs numbers in: {stmt}", row=line)
        return {func: values}
    if func in ("label", "equal"):
        if not all(v is None or isinstance(v, str) for v in values):
            raise ModelSyntaxError(f"{func}() needs quoted labels in: {stmt}", row=line)
        return {"label": ["" if v is None else v for v in values]}
    if func == "c":
        if all(v is None or isinstance(v, float) for v in values):
            return {"fixed": values}
        if all(v is None or isinstance(v, str) for v in values):
            return {"label": ["" if v is None else v for v in values]}
        raise ModelSyntaxError(f"c() mixes numbers and labels in: {stmt}", row=line)
    raise ModelSyntaxError(f"unknown modifier {func}() in: {stmt}", row=line)


def _modifier_value(arg: str, line: int, stmt: str):
    if arg == "NA":
        return None
    if _NUMBER.match(arg):
        return float(arg)
    if re.fullmatch(r"\"[^\"]*\"|'[^']*'", arg):
        return arg[1:-1]
    if _NAME.match(arg) and arg not in _R_RESERVED:
        return arg          # c(a, b): bare labels, as lavaan allows
    raise ModelSyntaxError(f"can not parse modifier argument {arg!r} in: {stmt}", row=line)


# --------------------------------------------------------------------------- definitions

def _definition(lhs: str, rhs: str, line: int) -> Definition:
    if not lhs or not _NAME.match(lhs) or lhs in _R_RESERVED:
        raise ModelSyntaxError(f"invalid name {lhs!r} for a defined parameter", row=line)
    if not rhs:
        raise ModelSyntaxError(f"missing expression for defined parameter {lhs!r}", row=line)
    rhs = rhs.replace('"', "")
    tree = expression_tree(rhs, line)
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    labels: list[str] = []
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in callees]
    for node in sorted(names, key=lambda n: n.col_offset):     # in reading order
        if node.id not in labels:
            labels.append(node.id)
    return Definition(lhs, rhs, line, labels)


_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def expression_tree(expr: str, line: int | None = None) -> ast.Expression:
    """R arithmetic -> a checked Python AST (numbers, labels, + - * / ^, a few functions)."""
    src = expr.replace("^", "**")
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError:
        raise ModelSyntaxError(f"can not parse expression {expr!r}", row=line) from None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Load)):
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ALLOWED_BINOPS):
            continue
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            continue
        if isinstance(node, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in DEF_FUNCTIONS and not node.keywords and len(node.args) == 1:
            continue
        if isinstance(node, ast.Name):
            if not _NAME.match(node.id):
                raise ModelSyntaxError(f"invalid label {node.id!r} in expression {expr!r}", row=line)
            continue
        raise ModelSyntaxError(f"unsupported element in expression {expr!r}", row=line)
    return tree
