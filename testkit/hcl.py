"""Read the HCL expressions the generator writes into Terraform JSON back into the rule language's `Expr`
(generator/language/expr.py), so that a test evaluates a generated expression with the project's own evaluator instead of
planning it with Terraform.

It reads the subset the modules write in the places tests read this way: literals, string templates (`"a${x}b"`),
tuples `[...]`, objects `{ k = v }`, references (`var.x`, `local.x`, `aws_kms_key.this[0].arn`), attribute and index
access, the unary, binary and conditional operators, the rule language's functions (generator.language.expr._FUNCTIONS) and
`jsonencode`. Anything else is a `ValueError` that names the position, never a silent misreading.

A reference other than `var.x` evaluates by its first name in the environment: `local.x` reads
`env["local"]["x"]`, `aws_kms_key.this[0].arn` reads `env["aws_kms_key"]["this"][0]["arn"]`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from generator.language import expr
from generator.language.expr import Expr, Literal, call, if_, not_, text, var

_BINARY = [  # loosest first; each level is left-associative
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<=", ">=", "<", ">"),
    ("+", "-"),
    ("*", "/", "%"),
]


@dataclass(eq=False, frozen=True)
class Reference(Expr):
    """The first name of a reference that is not `var.x` (`local`, `aws_kms_key`): read from the environment."""

    name: str

    def hcl(self) -> str:
        return self.name

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        if self.name not in env:
            raise expr.EvalError(f"no value for {self.name}")
        return env[self.name]


@dataclass(eq=False, frozen=True)
class Name(Literal):
    """An object key written as a bare name (`Sid = ...`): a string, printed without quotes."""

    def hcl(self) -> str:
        return self.value


@dataclass(eq=False, frozen=True)
class Tuple(Expr):
    items: tuple[Expr, ...]

    def hcl(self) -> str:
        return "[" + ", ".join(i.hcl() for i in self.items) + "]"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return [i.evaluate(env) for i in self.items]

    def children(self) -> Iterable[Expr]:
        return self.items


@dataclass(eq=False, frozen=True)
class Object(Expr):
    items: tuple[tuple[Expr, Expr], ...]

    def hcl(self) -> str:
        return "{ " + ", ".join(f"{k.hcl()} = {v.hcl()}" for k, v in self.items) + " }"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        result: dict[str, Any] = {}
        for key, value in self.items:
            name = key.evaluate(env)
            if not isinstance(name, str) or name in result:
                raise expr.EvalError(f"invalid or repeated object key {name!r}")
            result[name] = value.evaluate(env)
        return result

    def children(self) -> Iterable[Expr]:
        return tuple(e for pair in self.items for e in pair)


@dataclass(eq=False, frozen=True)
class JsonEncode(Expr):
    subject: Expr

    def hcl(self) -> str:
        return f"jsonencode({self.subject.hcl()})"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return json.dumps(self.subject.evaluate(env), sort_keys=True, separators=(",", ":"))

    def children(self) -> Iterable[Expr]:
        return (self.subject,)


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.at = 0

    # --- characters ---
    def _error(self, what: str) -> ValueError:
        return ValueError(f"{what} at {self.at}: {self.source[self.at:self.at + 40]!r}")

    def _space(self) -> None:
        while self.at < len(self.source) and self.source[self.at] in " \t\r\n":
            self.at += 1

    def _peek(self, token: str) -> bool:
        self._space()
        if not self.source.startswith(token, self.at):
            return False
        # `!` is not `!=`, `<` is not `<=`, `=` is not `==`.
        following = self.source[self.at + len(token):self.at + len(token) + 1]
        return not (token in ("!", "<", ">", "=") and following == "=")

    def _take(self, token: str) -> bool:
        if self._peek(token):
            self.at += len(token)
            return True
        return False

    def _expect(self, token: str) -> None:
        if not self._take(token):
            raise self._error(f"expected {token!r}")

    def _name(self) -> str | None:
        self._space()
        start = self.at
        while self.at < len(self.source) and (self.source[self.at].isalnum() or self.source[self.at] in "_-"):
            if self.at == start and not (self.source[self.at].isalpha() or self.source[self.at] == "_"):
                break
            self.at += 1
        return self.source[start:self.at] or None

    # --- expressions ---
    def expression(self) -> Expr:
        condition = self._binary(0)
        if self._take("?"):
            then = self.expression()
            self._expect(":")
            return if_(condition, then, self.expression())
        return condition

    def _binary(self, level: int) -> Expr:
        if level == len(_BINARY):
            return self._unary()
        left = self._binary(level + 1)
        while True:
            op = next((o for o in _BINARY[level] if self._peek(o)), None)
            if op is None:
                return left
            self.at += len(op)
            right = self._binary(level + 1)
            left = _operator(op, left, right)

    def _unary(self) -> Expr:
        if self._take("!"):
            return not_(self._unary())
        if self._take("-"):
            return Literal(0) - self._unary()
        return self._postfix(self._primary())

    def _postfix(self, subject: Expr) -> Expr:
        while True:
            if self._take("["):
                key = self.expression()
                self._expect("]")
                subject = subject[key]
            elif self._peek(".") and not self.source[self.at + 1:self.at + 2].isdigit():
                self.at += 1
                name = self._name()
                if name is None:
                    raise self._error("expected an attribute name")
                subject = var(name) if isinstance(subject, Reference) and subject.name == "var" else \
                    expr._Attribute(subject, name)
            else:
                return subject

    def _primary(self) -> Expr:
        self._space()
        if self.at >= len(self.source):
            raise self._error("unexpected end")
        char = self.source[self.at]
        if char == '"':
            return self._string()
        if char.isdigit():
            start = self.at
            while self.at < len(self.source) and (self.source[self.at].isdigit() or self.source[self.at] == "."):
                self.at += 1
            number = self.source[start:self.at]
            return Literal(float(number) if "." in number else int(number))
        if self._take("("):
            inner = self.expression()
            self._expect(")")
            return inner
        if self._take("["):
            items = self._sequence("]")
            return Tuple(tuple(items))
        if self._take("{"):
            return self._object()
        name = self._name()
        if name is None:
            raise self._error("expected an expression")
        if name in ("true", "false"):
            return Literal(name == "true")
        if name == "null":
            return Literal(None)
        if self._take("("):
            args = self._sequence(")")
            if name == "jsonencode" and len(args) == 1:
                return JsonEncode(args[0])
            if name not in expr._FUNCTIONS:
                raise self._error(f"no function {name} in the rule language")
            return call(name, *args)
        return Reference(name)

    def _sequence(self, close: str) -> list[Expr]:
        items: list[Expr] = []
        while not self._take(close):
            items.append(self.expression())
            if not self._take(","):
                self._expect(close)
                break
        return items

    def _object(self) -> Expr:
        items: list[tuple[Expr, Expr]] = []
        while not self._take("}"):
            self._space()
            if self.source[self.at:self.at + 1] == '"':
                key = self._string()
            else:
                name = self._name()
                if name is None:
                    raise self._error("expected an object key")
                key = Name(name)
            if not self._take("="):
                self._expect(":")
            items.append((key, self.expression()))
            self._take(",")
        return Object(tuple(items))

    def _string(self) -> Expr:
        self._expect('"')
        parts: list[Any] = []
        literal: list[str] = []
        escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
        while True:
            if self.at >= len(self.source):
                raise self._error("unterminated string")
            char = self.source[self.at]
            if char == '"':
                self.at += 1
                break
            if char == "\\":
                escaped = self.source[self.at + 1:self.at + 2]
                if escaped not in escapes:
                    raise self._error("unknown escape")
                literal.append(escapes[escaped])
                self.at += 2
            elif self.source.startswith("$${", self.at) or self.source.startswith("%%{", self.at):
                literal.append(self.source[self.at + 1:self.at + 3])
                self.at += 3
            elif self.source.startswith("${", self.at):
                if literal:
                    parts.append("".join(literal))
                    literal = []
                self.at += 2
                parts.append(self.expression())
                self._expect("}")
            elif self.source.startswith("%{", self.at):
                raise self._error("template directives are not read")
            else:
                literal.append(char)
                self.at += 1
        if literal or not parts:
            parts.append("".join(literal))
        return text(*parts)


def _operator(op: str, left: Expr, right: Expr) -> Expr:
    if op == "||":
        return left | right
    if op == "&&":
        return left & right
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "%":
        return left % right
    raise ValueError(f"the operator {op} is not read")


def parse(source: str) -> Expr:
    """One HCL expression (`var.a != "TLS" ? [9092] : []`)."""
    parser = _Parser(source)
    result = parser.expression()
    parser._space()
    if parser.at != len(source):
        raise parser._error("unexpected text after the expression")
    return result


def parse_value(value: str) -> Expr:
    """A string value of Terraform JSON, which is a template: `"${expr}"` alone is the expression itself (its value
    keeps its type, as Terraform does); anything else is a template that makes a string."""
    if value.startswith("${") and value.endswith("}"):
        inner = _Parser(value)
        inner.at = 2
        result = inner.expression()
        inner._space()
        if inner.at == len(value) - 1:
            return result
    return _template(value)


def _template(value: str) -> Expr:
    """The template text of a JSON string value (quotes inside it are literal, not string delimiters)."""
    parser = _Parser(value)
    parts: list[Any] = []
    literal: list[str] = []
    while parser.at < len(value):
        if value.startswith("$${", parser.at) or value.startswith("%%{", parser.at):
            literal.append(value[parser.at + 1:parser.at + 3])
            parser.at += 3
        elif value.startswith("${", parser.at):
            if literal:
                parts.append("".join(literal))
                literal = []
            parser.at += 2
            parts.append(parser.expression())
            parser._expect("}")
        elif value.startswith("%{", parser.at):
            raise parser._error("template directives are not read")
        else:
            literal.append(value[parser.at])
            parser.at += 1
    if literal or not parts:
        parts.append("".join(literal))
    return text(*parts)
