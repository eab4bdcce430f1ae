"""Conditions over a module's inputs, written once and rendered twice: evaluated in Python, printed as HCL.

A rule on one input (`generator.language.inputs.Rule`) or a check across inputs (`generator.language.inputs.Check`) is an `Expr`
built from handles (`value` for the input a rule is on, `var("name")` for any input, `Local` for a value the
module derives) with Python operators and the functions below:

    all_(value, lambda a: a["type"].is_in(["S", "N", "B"]))
        Python: all(a["type"] in ("S", "N", "B") for a in <the value>)
        HCL:    alltrue([for a in var.attributes : contains(["S", "N", "B"], a.type)])

Python evaluation follows Terraform's semantics, not Python's, because the point is that both sides agree:
`&` and `|` evaluate both operands (Terraform 1.11 does not short-circuit), so a guard must be a conditional
(`if_(x.is_null(), True, x > 0)`); null in a comparison of order, in arithmetic or in `length()` is an error
(`EvalError`), as it is in Terraform; `keys()`/`values()` are ordered by key; `coalesce` skips empty strings.
tests/test_rule_agreement.py evaluates every rule and check of every module both ways, Terraform's in one run,
and asserts they agree case by case.

Python's `&`, `|` and `~` bind tighter than comparisons: write `(a == 1) & (b > 2)`, or `all_of(a == 1, b > 2)`.

Regular expressions are written once, in the subset that Python's `re` and Terraform's RE2 read alike
(`portable_regex` refuses anything else): literals, `.`, classes `[...]` without backslashes, groups `(...)` and
`(?:...)`, `|`, and the quantifiers `* + ? {n} {n,} {n,m}`. A pattern always matches the whole text.
"""

from __future__ import annotations

import base64
import inspect
import ipaddress
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping


class EvalError(Exception):
    """Where Terraform would fail to evaluate the expression (null where a value is needed, a missing attribute)."""


class _Opaque:
    """A value Python never sees (a secret supplied at apply): not null; anything else about it is an error."""

    def __repr__(self) -> str:
        return "<supplied at apply>"


# Precedence, as HCL's operators bind (higher binds tighter); used only to print the fewest parentheses.
_CONDITIONAL, _OR, _AND, _EQUALITY, _ORDER, _SUM, _PRODUCT, _UNARY, _ATOM = range(9)


class Expr:
    precedence = _ATOM
    __hash__ = object.__hash__

    # --- both renderings -------------------------------------------------------------------------------------------
    def hcl(self) -> str:
        raise NotImplementedError

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def children(self) -> Iterable[Expr]:
        return ()

    # --- what it reads ---------------------------------------------------------------------------------------------
    def walk(self) -> Iterable[Expr]:
        yield self
        for child in self.children():
            yield from child.walk()

    def inputs(self) -> set[str]:
        """The inputs the expression reads, through `var()` or a `Local`."""
        found: set[str] = set()
        for node in self.walk():
            if isinstance(node, Var):
                found.add(node.name)
            elif isinstance(node, Local):
                found |= node.definition.inputs()
        return found

    def locals(self) -> list[Local]:
        """The locals it reads, each after the locals its definition reads (the order to declare them)."""
        ordered: list[Local] = []
        for node in self.walk():
            if isinstance(node, Local):
                for inner in node.definition.locals() + [node]:
                    if all(inner.name != seen.name for seen in ordered):
                        ordered.append(inner)
        return ordered

    # --- operators -------------------------------------------------------------------------------------------------
    def __eq__(self, other: Any) -> Expr:  # type: ignore[override]
        return _Equality("==", self, lift(other))

    def __ne__(self, other: Any) -> Expr:  # type: ignore[override]
        return _Equality("!=", self, lift(other))

    def __lt__(self, other: Any) -> Expr:
        return _Order("<", self, lift(other))

    def __le__(self, other: Any) -> Expr:
        return _Order("<=", self, lift(other))

    def __gt__(self, other: Any) -> Expr:
        return _Order(">", self, lift(other))

    def __ge__(self, other: Any) -> Expr:
        return _Order(">=", self, lift(other))

    def __and__(self, other: Any) -> Expr:
        return all_of(self, other)

    def __rand__(self, other: Any) -> Expr:
        return all_of(other, self)

    def __or__(self, other: Any) -> Expr:
        return any_of(self, other)

    def __ror__(self, other: Any) -> Expr:
        return any_of(other, self)

    def __invert__(self) -> Expr:
        if isinstance(self, _Equality):  # !(a == b) prints as a != b: the same in both languages
            return _Equality("!=" if self.op == "==" else "==", self.left, self.right)
        return _Not(self)

    def __add__(self, other: Any) -> Expr:
        return _Arithmetic("+", self, lift(other))

    def __radd__(self, other: Any) -> Expr:
        return _Arithmetic("+", lift(other), self)

    def __sub__(self, other: Any) -> Expr:
        return _Arithmetic("-", self, lift(other))

    def __rsub__(self, other: Any) -> Expr:
        return _Arithmetic("-", lift(other), self)

    def __mul__(self, other: Any) -> Expr:
        return _Arithmetic("*", self, lift(other))

    def __mod__(self, other: Any) -> Expr:
        return _Arithmetic("%", self, lift(other))

    def __getitem__(self, key: Any) -> Expr:
        """`x["name"]` reads an attribute of an object; `x[0]` an element; `x[expr]` a map's key."""
        if isinstance(key, str) and key.isidentifier():
            return _Attribute(self, key)
        return _Index(self, lift(key))

    def __bool__(self) -> bool:
        raise TypeError("an Expr has no truth value in Python: use &, |, ~ or all_of/any_of, not and/or/not")

    # --- helpers that read well ------------------------------------------------------------------------------------
    def is_null(self) -> Expr:
        return _Equality("==", self, NULL)

    def not_null(self) -> Expr:
        return _Equality("!=", self, NULL)

    def length(self) -> Expr:
        return call("length", self)

    def is_in(self, choices: Any) -> Expr:
        return call("contains", lift(list(choices)) if not isinstance(choices, Expr) else choices, self)

    def matches(self, pattern: str) -> Expr:
        return _Matches(self, pattern)

    def between(self, low: Any, high: Any) -> Expr:
        return all_of(self >= low, self <= high)

    def is_whole(self) -> Expr:
        return call("floor", self) == self


# --- leaves --------------------------------------------------------------------------------------------------------
def _hcl_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, int) or not value.is_integer() else str(int(value))
    if isinstance(value, str):
        # A quoted HCL string is a template: `${` and `%{` would start an interpolation or a directive.
        return json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_hcl_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_hcl_literal(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no HCL literal for {value!r}")


@dataclass(eq=False, frozen=True)
class Literal(Expr):
    value: Any

    def hcl(self) -> str:
        return _hcl_literal(self.value)

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return self.value


NULL = Literal(None)


def lift(value: Any) -> Expr:
    return value if isinstance(value, Expr) else Literal(value)


@dataclass(eq=False, frozen=True)
class Var(Expr):
    """An input of the module: `var.<name>`."""

    name: str

    def hcl(self) -> str:
        return f"var.{self.name}"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        if self.name not in env:
            raise KeyError(f"no input named {self.name}")
        return env[self.name]


def var(name: str) -> Var:
    return Var(name)


# The placeholder `{v}` is how a Rule's condition names the input it is on until it is attached to that input.
VALUE_KEY = "{v}"


@dataclass(eq=False, frozen=True)
class _Value(Expr):
    def hcl(self) -> str:
        return VALUE_KEY

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return env[VALUE_KEY]


value = _Value()
"""The value of the input a Rule is on."""


@dataclass(eq=False, frozen=True)
class Local(Expr):
    """A value the module derives from its inputs (`local.<name>`): declared once, written into the module's
    `locals` and evaluated from its definition on the Python side."""

    name: str
    definition: Expr

    def hcl(self) -> str:
        return f"local.{self.name}"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return self.definition.evaluate(env)

    def declaration(self) -> str:
        """The value of the `locals` entry that defines it (a template as itself: `${var.a}-${var.b}`)."""
        if isinstance(self.definition, _Text):
            return self.definition.hcl()[1:-1]
        return "${" + self.definition.hcl() + "}"


@dataclass(eq=False, frozen=True)
class Context(Expr):
    """A fact about where the module is applied, not an input: the stack's region or partition. Terraform reads it
    from a data source of the module (`data_source`, "aws_region.current"), which generator.model.module declares for a
    module whose checks read it; Python reads `key` from the values (generator.language.inputs.InputSet.problems takes it
    from the environment file), null when not told: a check must then pass, as Terraform defers a condition whose
    value it does not know at plan."""

    key: str
    source: str  # the HCL
    data_source: str  # "<type>.<name>"

    def hcl(self) -> str:
        return self.source

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return env.get(self.key)


def contexts(expression: Expr) -> list[Context]:
    """The Context leaves an expression reads, through its locals too."""
    found: list[Context] = []
    for node in [*expression.walk(), *(n for local in expression.locals() for n in local.definition.walk())]:
        if isinstance(node, Context) and all(node is not seen for seen in found):
            found.append(node)
    return found


@dataclass(eq=False, frozen=True)
class _Bound(Expr):
    """A variable bound by a `for` expression."""

    name: str

    def hcl(self) -> str:
        return self.name

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return env[self.name]


# --- operators -----------------------------------------------------------------------------------------------------
def _wrap(child: Expr, at_least: int) -> str:
    text = child.hcl()
    return f"({text})" if child.precedence < at_least else text


# The kind of a value of exactly one of these types (the evaluator asks millions of times in the rule tests).
_KIND_OF_TYPE = {type(None): "null", bool: "bool", int: "number", float: "number", str: "string", list: "list",
                 tuple: "list", dict: "map"}


def _kind(value: Any) -> str:
    kind = _KIND_OF_TYPE.get(type(value))
    if kind is not None:
        return kind
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "map"
    return "opaque"


def _equal(a: Any, b: Any) -> bool:
    if _kind(a) == "opaque" or _kind(b) == "opaque":
        if a is None or b is None:
            return False  # a supplied value is never null
        raise EvalError("a value supplied at apply cannot be compared")
    if _kind(a) != _kind(b):
        return False  # Terraform: values of different types are not equal (true != 1)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b


@dataclass(eq=False, frozen=True)
class _Equality(Expr):
    op: str
    left: Expr
    right: Expr
    precedence = _EQUALITY

    def hcl(self) -> str:
        return f"{_wrap(self.left, _ORDER)} {self.op} {_wrap(self.right, _ORDER)}"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        same = _equal(self.left.evaluate(env), self.right.evaluate(env))
        return same if self.op == "==" else not same

    def children(self) -> Iterable[Expr]:
        return (self.left, self.right)


def _number(value: Any, what: str) -> Any:
    if _kind(value) != "number":
        raise EvalError(f"{what}: a number is required, got {_kind(value)}")
    return value


def _bool(value: Any, what: str) -> bool:
    if _kind(value) != "bool":
        raise EvalError(f"{what}: a bool is required, got {_kind(value)}")
    return value


@dataclass(eq=False, frozen=True)
class _Order(Expr):
    op: str
    left: Expr
    right: Expr
    precedence = _ORDER

    def hcl(self) -> str:
        return f"{_wrap(self.left, _SUM)} {self.op} {_wrap(self.right, _SUM)}"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        a = _number(self.left.evaluate(env), self.op)
        b = _number(self.right.evaluate(env), self.op)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[self.op]

    def children(self) -> Iterable[Expr]:
        return (self.left, self.right)


def _remainder(a: Any, b: Any) -> Any:
    """HCL's `%`: the remainder of truncated division, with the dividend's sign (-7 % 3 is -1); x % 0 is x."""
    if b == 0:
        return a
    r = math.fmod(a, b)
    return int(r) if float(r).is_integer() else r


@dataclass(eq=False, frozen=True)
class _Arithmetic(Expr):
    op: str
    left: Expr
    right: Expr

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _PRODUCT if self.op in "*%" else _SUM

    def hcl(self) -> str:
        # Right operand one level tighter: a - (b - c) keeps its parentheses.
        return f"{_wrap(self.left, self.precedence)} {self.op} {_wrap(self.right, self.precedence + 1)}"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        a = _number(self.left.evaluate(env), self.op)
        b = _number(self.right.evaluate(env), self.op)
        if self.op == "%":
            return _remainder(a, b)
        return {"+": a + b, "-": a - b, "*": a * b}[self.op]

    def children(self) -> Iterable[Expr]:
        return (self.left, self.right)


@dataclass(eq=False, frozen=True)
class _Logical(Expr):
    op: str  # "&&" or "||"
    operands: tuple[Expr, ...]

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _AND if self.op == "&&" else _OR

    def hcl(self) -> str:
        return f" {self.op} ".join(_wrap(o, self.precedence + (0 if isinstance(o, _Logical) and o.op == self.op else 1))
                                   for o in self.operands)

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        # Every operand is evaluated, as Terraform does: an error on either side is an error.
        results = [_bool(o.evaluate(env), self.op) for o in self.operands]
        return all(results) if self.op == "&&" else any(results)

    def children(self) -> Iterable[Expr]:
        return self.operands


def all_of(*conditions: Any) -> Expr:
    operands = [lift(c) for c in conditions]
    return operands[0] if len(operands) == 1 else _Logical("&&", tuple(operands))


def any_of(*conditions: Any) -> Expr:
    operands = [lift(c) for c in conditions]
    return operands[0] if len(operands) == 1 else _Logical("||", tuple(operands))


def implies(condition: Any, then: Any) -> Expr:
    """`!condition || then`, for the common "X only with Y" rule."""
    return any_of(_Not(lift(condition)), then)


@dataclass(eq=False, frozen=True)
class _Not(Expr):
    operand: Expr
    precedence = _UNARY

    def hcl(self) -> str:
        return "!" + _wrap(self.operand, _UNARY)

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return not _bool(self.operand.evaluate(env), "!")

    def children(self) -> Iterable[Expr]:
        return (self.operand,)


def not_(condition: Any) -> Expr:
    return _Not(lift(condition))


@dataclass(eq=False, frozen=True)
class _Conditional(Expr):
    condition: Expr
    then: Expr
    otherwise: Expr
    precedence = _CONDITIONAL

    def hcl(self) -> str:
        return f"{_wrap(self.condition, _OR)} ? {_wrap(self.then, _OR)} : {_wrap(self.otherwise, _OR)}"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        # Only the branch taken is evaluated: the way to keep null away from a rule.
        if _bool(self.condition.evaluate(env), "condition"):
            return self.then.evaluate(env)
        return self.otherwise.evaluate(env)

    def children(self) -> Iterable[Expr]:
        return (self.condition, self.then, self.otherwise)


def if_(condition: Any, then: Any, otherwise: Any) -> Expr:
    return _Conditional(lift(condition), lift(then), lift(otherwise))


def unless_null(subject: Expr, condition: Any) -> Expr:
    """`subject == null ? true : condition`: a rule on an optional value."""
    return if_(subject.is_null(), True, condition)


@dataclass(eq=False, frozen=True)
class _Attribute(Expr):
    subject: Expr
    name: str

    def hcl(self) -> str:
        return f"{_wrap(self.subject, _ATOM)}.{self.name}"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        subject = self.subject.evaluate(env)
        if not isinstance(subject, dict) or self.name not in subject:
            raise EvalError(f"no attribute {self.name} in {_kind(subject)}")
        return subject[self.name]

    def children(self) -> Iterable[Expr]:
        return (self.subject,)


@dataclass(eq=False, frozen=True)
class _Index(Expr):
    subject: Expr
    key: Expr

    def hcl(self) -> str:
        return f"{_wrap(self.subject, _ATOM)}[{self.key.hcl()}]"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        subject, key = self.subject.evaluate(env), self.key.evaluate(env)
        try:
            if isinstance(subject, (list, tuple)) and _kind(key) == "number" and key >= 0:
                return subject[int(key)]
            if isinstance(subject, dict) and isinstance(key, str):
                return subject[key]
        except (IndexError, KeyError):
            pass
        raise EvalError(f"invalid index {key!r}")

    def children(self) -> Iterable[Expr]:
        return (self.subject, self.key)


@dataclass(eq=False, frozen=True)
class _Text(Expr):
    """A string made of literal text and values: the template `"prefix-${x}"`."""

    parts: tuple[Expr, ...]

    def hcl(self) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, Literal) and isinstance(part.value, str):
                out.append(_hcl_literal(part.value)[1:-1])
            else:
                out.append("${" + part.hcl() + "}")
        return '"' + "".join(out) + '"'

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        pieces = []
        for part in self.parts:
            piece = part.evaluate(env)
            if piece is None:
                raise EvalError("a template cannot hold null")
            pieces.append(_string(piece, "template"))
        return "".join(pieces)

    def children(self) -> Iterable[Expr]:
        return self.parts


@dataclass(eq=False, frozen=True)
class _List(Expr):
    """A tuple of values: `[a, b]`."""

    items: tuple[Expr, ...]

    def hcl(self) -> str:
        return "[" + ", ".join(item.hcl() for item in self.items) + "]"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return [item.evaluate(env) for item in self.items]

    def children(self) -> Iterable[Expr]:
        return self.items


def list_(*items: Any) -> Expr:
    """`list_(var("port"))` is `[var.port]`."""
    return _List(tuple(lift(item) for item in items))


def text(*parts: Any) -> Expr:
    """`text("alias/", var("name"))` is `"alias/${var.name}"`."""
    return _Text(tuple(lift(p) for p in parts))


# --- regular expressions -------------------------------------------------------------------------------------------
_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")


def portable_regex(pattern: str) -> str:
    """The pattern, if Python's `re` and RE2 read it alike; else ValueError naming the construct.

    Allowed: literal characters, `.`, classes `[...]` (ranges, a leading `^`, no backslash), groups `(...)` and
    `(?:...)`, `|`, and `* + ? {n} {n,} {n,m}`, none of them lazy or possessive. That excludes what the two engines
    read differently or one refuses: backslash escapes (`\\d` is Unicode in Python, ASCII in RE2; `\\Z`), lookaround
    and backreferences (RE2 has none), inline flags, `^`/`$` inside (the whole text is always matched).
    """
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            raise ValueError(f"{pattern!r}: no backslash escapes (write [.] for a dot, [0-9] for a digit)")
        if c in "^$":
            raise ValueError(f"{pattern!r}: {c} is implied (a pattern matches the whole text)")
        if c == "(" and pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
            raise ValueError(f"{pattern!r}: only (?:...) groups (no lookaround, flags or named groups)")
        if c == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[^", i) else i + 1)
            if end < 0:
                raise ValueError(f"{pattern!r}: unclosed class")
            body = pattern[i + 1:end]
            if "[" in body:
                raise ValueError(f"{pattern!r}: no nested classes or [: :] names in a class")
            i = end + 1
            continue
        if c in "*+?" or (c == "{" and _QUANTIFIER.match(pattern, i)):
            end = _QUANTIFIER.match(pattern, i).end() if c == "{" else i + 1
            if end < len(pattern) and pattern[end] in "?+":
                raise ValueError(f"{pattern!r}: no lazy or possessive quantifiers")
            i = end
            continue
        i += 1
    re.compile(pattern)
    return pattern


@dataclass(eq=False, frozen=True)
class _Matches(Expr):
    subject: Expr
    pattern: str

    def __post_init__(self) -> None:
        portable_regex(self.pattern)

    def hcl(self) -> str:
        return f"can(regex({_hcl_literal('^(?:' + self.pattern + ')$')}, {self.subject.hcl()}))"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        try:
            subject = self.subject.evaluate(env)
        except EvalError:
            return False  # can() turns any error into false
        return isinstance(subject, str) and re.fullmatch(self.pattern, subject) is not None

    def children(self) -> Iterable[Expr]:
        return (self.subject,)


# --- for expressions -----------------------------------------------------------------------------------------------
def _sorted_keys(mapping: Mapping[str, Any]) -> list[str]:
    return sorted(mapping)  # Terraform iterates a map (and keys()/values()) in lexical order of its keys


def _iterate(source: Any) -> list[tuple[Any, Any]]:
    if isinstance(source, dict):
        return [(k, source[k]) for k in _sorted_keys(source)]
    if isinstance(source, (list, tuple)):
        return list(enumerate(source))
    raise EvalError(f"cannot iterate over {_kind(source)}")


@dataclass(eq=False, frozen=True)
class _For(Expr):
    source: Expr
    names: tuple[str, ...]  # (item,) or (key, item)
    body: Expr
    keep: Expr | None

    def hcl(self) -> str:
        keep = f" if {self.keep.hcl()}" if self.keep is not None else ""
        return f"[for {', '.join(self.names)} in {self.source.hcl()} : {self.body.hcl()}{keep}]"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        result = []
        for key, item in _iterate(self.source.evaluate(env)):
            scope = dict(env)
            if len(self.names) == 2:
                scope[self.names[0]] = key
            scope[self.names[-1]] = item
            if self.keep is not None and not _bool(self.keep.evaluate(scope), "if"):
                continue
            result.append(self.body.evaluate(scope))
        return result

    def children(self) -> Iterable[Expr]:
        return (self.source, self.body) + ((self.keep,) if self.keep is not None else ())


def for_(source: Any, body: Callable[..., Any], keep: Callable[..., Any] | None = None) -> Expr:
    """`[for x in source : body(x) if keep(x)]`; a two-argument body iterates a map as (key, value). The
    lambda's parameter names become the HCL's."""
    names = tuple(inspect.signature(body).parameters)
    bound = [_Bound(n) for n in names]
    return _For(lift(source), names, lift(body(*bound)), lift(keep(*bound)) if keep is not None else None)


def all_(source: Any, condition: Callable[..., Any]) -> Expr:
    return call("alltrue", for_(source, condition))


def any_(source: Any, condition: Callable[..., Any]) -> Expr:
    return call("anytrue", for_(source, condition))


# --- functions -----------------------------------------------------------------------------------------------------
def _length(x: Any) -> int:
    if isinstance(x, str):
        return len(x)
    if isinstance(x, (list, tuple, dict)):
        return len(x)
    raise EvalError(f"length: a collection or string is required, got {_kind(x)}")


def _distinct(items: Any) -> list[Any]:
    found: list[Any] = []
    for item in _list(items, "distinct"):
        if not any(_equal(item, seen) for seen in found):
            found.append(item)
    return found


def _list(x: Any, what: str) -> list[Any]:
    if not isinstance(x, (list, tuple)):
        raise EvalError(f"{what}: a list is required, got {_kind(x)}")
    return list(x)


def _map(x: Any, what: str) -> dict[str, Any]:
    if not isinstance(x, dict):
        raise EvalError(f"{what}: a map or object is required, got {_kind(x)}")
    return x


def _string(x: Any, what: str) -> str:
    if _kind(x) == "number":
        return str(int(x)) if float(x).is_integer() else repr(x)  # Terraform converts numbers to strings
    if _kind(x) == "bool":
        return "true" if x else "false"
    if not isinstance(x, str):
        raise EvalError(f"{what}: a string is required, got {_kind(x)}")
    return x


def _coalesce(*items: Any) -> Any:
    for item in items:
        if item is not None and item != "":
            return item
    raise EvalError("coalesce: no non-null, non-empty-string arguments")


def _contains(collection: Any, item: Any) -> bool:
    return any(_equal(item, x) for x in _list(collection, "contains"))


def _is_cidr_network(text: Any) -> bool:
    # Terraform side: cidrhost() refuses a malformed block; cidrsubnet(c, 0, 0) == c only for a network address.
    if not isinstance(text, str):
        return False
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        return False
    return str(network) == text


def _json(text: Any) -> bool:
    if not isinstance(text, str):
        return False

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        json.loads(text, parse_constant=refuse)  # NaN and Infinity are not JSON (Python accepts them, Go does not)
    except ValueError:
        return False
    return True


_TAG_PUNCTUATION = "_.:/=+-@"


def _no_control_characters(text: Any) -> bool:
    # C0 (U+0000-U+001F, tab and line breaks included), DEL and C1 (U+007F-U+009F): RE2's [^\x00-\x1f\x7f-\x9f].
    return isinstance(text, str) and not any(c < " " or "\x7f" <= c <= "\x9f" for c in text)


def _tag_text(text: Any) -> bool:
    # RE2 reads \p{L}, \p{Z}, \p{N}; Python's re does not, so Python asks unicodedata for the same categories.
    return isinstance(text, str) and all(c in _TAG_PUNCTUATION or unicodedata.category(c)[0] in "LZN" for c in text)


# name -> (Python implementation, HCL template or None for `name(args)`)
_FUNCTIONS: dict[str, tuple[Callable[..., Any], str | None]] = {
    "length": (_length, None),
    "distinct": (_distinct, None),
    "keys": (lambda m: _sorted_keys(_map(m, "keys")), None),
    "values": (lambda m: [_map(m, "values")[k] for k in _sorted_keys(m)], None),
    "coalesce": (_coalesce, None),
    "concat": (lambda *ls: [x for l in ls for x in _list(l, "concat")], None),
    "flatten": (lambda l: [y for x in _list(l, "flatten") for y in (x if isinstance(x, (list, tuple)) else [x])], None),
    "compact": (lambda l: [x for x in _list(l, "compact") if x is not None and x != ""], None),
    "contains": (_contains, None),
    "alltrue": (lambda l: all(_bool(x, "alltrue") for x in _list(l, "alltrue")), None),
    "anytrue": (lambda l: any(_bool(x, "anytrue") for x in _list(l, "anytrue")), None),
    "floor": (lambda n: math.floor(_number(n, "floor")), None),
    "lower": (lambda s: _string(s, "lower").lower(), None),
    "trimspace": (lambda s: _string(s, "trimspace").strip(), None),
    "startswith": (lambda s, p: _string(s, "startswith").startswith(_string(p, "startswith")), None),
    "endswith": (lambda s, p: _string(s, "endswith").endswith(_string(p, "endswith")), None),
    "strcontains": (lambda s, p: _string(p, "strcontains") in _string(s, "strcontains"), None),
    "split": (lambda sep, s: _string(s, "split").split(_string(sep, "split")), None),
    "replace": (lambda s, a, b: _string(s, "replace").replace(_string(a, "replace"), _string(b, "replace")), None),
    "merge": (lambda *ms: {k: v for m in ms for k, v in _map(m, "merge").items()}, None),
    "setsubtract": (lambda a, b: [x for x in _distinct(a) if not _contains(b, x)], None),
    "setintersection": (lambda a, b: [x for x in _distinct(a) if _contains(b, x)], None),
    "sum": (lambda l: sum(_number(x, "sum") for x in _list(l, "sum")), None),
    "tonumber": (lambda s: _tonumber(s), None),
    "pow": (lambda a, b: _number(a, "pow") ** _number(b, "pow"), None),
    "nonsensitive": (lambda x: x, None),
    "base64encode": (lambda s: base64.b64encode(_string(s, "base64encode").encode("utf-8")).decode("ascii"), None),
    # Predicates with one meaning and two implementations (tests/test_rule_agreement.py holds them to it).
    "is_cidr_network": (_is_cidr_network, "can(cidrhost({0}, 0)) && try(cidrsubnet({0}, 0, 0) == {0}, false)"),
    "is_json": (_json, "can(jsondecode({0}))"),
    "has_no_control_characters": (_no_control_characters, 'can(regex("^[^\\\\x00-\\\\x1f\\\\x7f-\\\\x9f]*$", {0}))'),
    "is_tag_text": (_tag_text, 'can(regex("^[\\\\p{{L}}\\\\p{{Z}}\\\\p{{N}}_.:/=+@-]*$", {0}))'),
    # added for rules-elasticache
    "lookup": (lambda m, k, default: _map(m, "lookup").get(_string(k, "lookup"), default), None),
    # added for rules-shared
    "cidrsubnet": (lambda prefix, newbits, netnum: _cidrsubnet(prefix, newbits, netnum), None),
}


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    """Terraform's cidrsubnet: the `netnum`th block of `newbits` more bits within `prefix`, whose host bits it ignores
    (cidrsubnet("10.1.2.3/16", 0, 0) is "10.1.0.0/16"). Terraform parses as Go 1.16's net package did: leading zeros
    in IPv4 parts are decimal ("010.0.0.0/8" is 10.0.0.0/8), the length is digits only (no netmask, no spaces), and
    an IPv4-mapped IPv6 block is written as IPv4 ("::ffff:102:300/120" gives "1.2.3.0/24")."""
    address, _, length_text = _string(prefix, "cidrsubnet").rpartition("/")
    if not (address and length_text.isascii() and length_text.isdigit()) or "%" in address:
        raise EvalError(f"cidrsubnet: invalid CIDR address {prefix!r}")
    parts = address.split(".")
    if len(parts) == 4 and all(part.isascii() and part.isdigit() for part in parts):
        address = ".".join(str(int(part)) for part in parts)
    try:
        network = ipaddress.ip_network(f"{address}/{int(length_text)}", strict=False)
    except ValueError:
        raise EvalError(f"cidrsubnet: invalid CIDR address {prefix!r}") from None
    newbits, netnum = _number(newbits, "cidrsubnet"), _number(netnum, "cidrsubnet")
    if newbits != int(newbits) or netnum != int(netnum) or newbits < 0 \
            or network.prefixlen + int(newbits) > network.max_prefixlen or not 0 <= netnum < 2 ** int(newbits):
        raise EvalError(f"cidrsubnet: no subnet {netnum!r} of {newbits!r} more bits in {prefix!r}")
    length = network.prefixlen + int(newbits)
    # The same version as the prefix (ip_network((0, 1)) would be IPv4's 0.0.0.0/1 even for ::/1).
    subnet = type(network)((int(network.network_address) + (int(netnum) << (network.max_prefixlen - length)), length))
    mapped = getattr(subnet.network_address, "ipv4_mapped", None)
    return f"{mapped}/{length - 96}" if mapped is not None else str(subnet)


_WHOLE = re.compile("-?[0-9]+")


def _tonumber(text: Any) -> Any:
    if _kind(text) == "number":
        return text
    if isinstance(text, str) and _WHOLE.fullmatch(text):
        return int(text)  # exactly, as Terraform's arbitrary-precision numbers read it (a float would round 2^63-1)
    try:
        number = float(_string(text, "tonumber"))
    except ValueError:
        raise EvalError(f"tonumber: cannot convert {text!r}") from None
    return int(number) if number.is_integer() else number


@dataclass(eq=False, frozen=True)
class _Call(Expr):
    name: str
    args: tuple[Expr, ...]

    def hcl(self) -> str:
        template = _FUNCTIONS[self.name][1]
        if template is not None:
            return template.format(*(a.hcl() for a in self.args))
        return f"{self.name}({', '.join(a.hcl() for a in self.args)})"

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _AND if _FUNCTIONS[self.name][1] and "&&" in _FUNCTIONS[self.name][1] else _ATOM

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return _FUNCTIONS[self.name][0](*(a.evaluate(env) for a in self.args))

    def children(self) -> Iterable[Expr]:
        return self.args


def call(name: str, *args: Any) -> Expr:
    if name not in _FUNCTIONS:
        raise ValueError(f"no function {name} in the rule language (generator.language.expr._FUNCTIONS)")
    return _Call(name, tuple(lift(a) for a in args))


@dataclass(eq=False, frozen=True)
class _Can(Expr):
    """`can(x)` / `try(x, fallback)`: an error (EvalError) becomes false / the fallback."""

    subject: Expr
    fallback: Expr | None

    def hcl(self) -> str:
        if self.fallback is None:
            return f"can({self.subject.hcl()})"
        return f"try({self.subject.hcl()}, {self.fallback.hcl()})"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        try:
            result = self.subject.evaluate(env)
        except EvalError:
            return False if self.fallback is None else self.fallback.evaluate(env)
        return True if self.fallback is None else result

    def children(self) -> Iterable[Expr]:
        return (self.subject,) + ((self.fallback,) if self.fallback is not None else ())


def can(expression: Expr) -> Expr:
    return _Can(expression, None)


def try_(expression: Expr, fallback: Any) -> Expr:
    return _Can(expression, lift(fallback))


def utf8_bytes(text_value: Expr) -> Expr:
    """How many bytes of UTF-8 the text is, alike in both languages (Terraform's length() counts characters): its
    base64 without padding has 4 characters per 3 bytes, rounded up, so the bytes are 3/4 of them, rounded down."""
    return call("floor", call("replace", call("base64encode", text_value), "=", "").length() * 0.75)


def holds(condition: Expr, env: Mapping[str, Any]) -> bool:
    """Python's verdict, as Terraform's: true passes; false, or an error, refuses."""
    try:
        return condition.evaluate(env) is True
    except EvalError:
        return False


SUPPLIED_AT_APPLY = _Opaque()
