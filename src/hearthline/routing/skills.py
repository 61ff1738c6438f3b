"""Skill requirements: small boolean expressions over an agent's skill levels.

    billing>=3 & (english>=2 | french>=2)     billing and one of the two languages
    returns                                    any level of returns (level >= 1)
    *                                          anyone certified for the campaign

Operators: ``&`` (or ``and``), ``|`` (or ``or``), ``!`` (or ``not``), parentheses, and the
comparisons ``>= > <= < == !=`` against whole-number levels. A skill an agent lacks has
level 0. Expressions are stored as text (readable in the admin pages, in scenario files
and in the event log) and compiled once into a predicate.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from hearthline.routing.errors import ConfigError

SkillLevels = Mapping[str, int]
Predicate = Callable[[SkillLevels], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<op>>=|<=|==|!=|>|<|=)|(?P<num>\d+)|(?P<punct>[()&|!*])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.\-]*))"
)
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "=": operator.eq,
    "!=": operator.ne,
}
_WORD_OPS = {"and": "&", "or": "|", "not": "!"}


@dataclass(frozen=True, slots=True)
class Requirement:
    """A compiled requirement: its text, the skills it names (first is the ranking skill)."""

    text: str
    skills: tuple[str, ...]
    predicate: Predicate

    def __call__(self, levels: SkillLevels) -> bool:
        return self.predicate(levels)

    def __reduce__(self) -> tuple[Callable[[str], Requirement], tuple[str]]:
        # The predicate is a closure; a snapshot stores the text and compiles it again.
        return (compile_requirement, (self.text,))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.skills: list[str] = []

    def _tokenize(self, text: str) -> list[tuple[str, str, int]]:
        tokens: list[tuple[str, str, int]] = []
        pos = 0
        stripped_len = len(text.rstrip())
        while pos < stripped_len:
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                bad = len(text) - len(text[pos:].lstrip())
                raise self._error(f"unexpected character {text[bad]!r}", bad)
            kind = m.lastgroup or ""
            value = m.group(kind)
            if kind == "word" and value.lower() in _WORD_OPS:
                kind, value = "punct", _WORD_OPS[value.lower()]
            tokens.append((kind, value, m.start(kind)))
            pos = m.end()
        return tokens

    def _error(self, message: str, pos: int | None = None) -> ConfigError:
        at = self.tokens[self.pos][2] if pos is None and self.pos < len(self.tokens) else pos
        where = f" at position {at}" if at is not None else " at the end"
        return ConfigError(f"skill requirement {self.text!r}: {message}{where}")

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _accept(self, value: str) -> bool:
        tok = self._peek()
        if tok is not None and tok[0] == "punct" and tok[1] == value:
            self.pos += 1
            return True
        return False

    def parse(self) -> Predicate:
        if not self.tokens:
            raise ConfigError("skill requirement is empty (use '*' for anyone)")
        pred = self._or()
        if self._peek() is not None:
            raise self._error(f"unexpected {self.tokens[self.pos][1]!r}")
        return pred

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._accept("|"):
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        return lambda lv: any(p(lv) for p in parts)

    def _and(self) -> Predicate:
        parts = [self._unary()]
        while self._accept("&"):
            parts.append(self._unary())
        if len(parts) == 1:
            return parts[0]
        return lambda lv: all(p(lv) for p in parts)

    def _unary(self) -> Predicate:
        if self._accept("!"):
            inner = self._unary()
            return lambda lv: not inner(lv)
        if self._accept("("):
            inner = self._or()
            if not self._accept(")"):
                raise self._error("missing ')'")
            return inner
        if self._accept("*"):
            return lambda lv: True
        return self._atom()

    def _atom(self) -> Predicate:
        tok = self._peek()
        if tok is None or tok[0] != "word":
            found = "the end" if tok is None else repr(tok[1])
            raise self._error(f"expected a skill name, found {found}")
        self.pos += 1
        skill = tok[1]
        if skill not in self.skills:
            self.skills.append(skill)
        op_tok = self._peek()
        if op_tok is None or op_tok[0] != "op":
            return lambda lv: lv.get(skill, 0) >= 1
        self.pos += 1
        num = self._peek()
        if num is None or num[0] != "num":
            raise self._error(f"expected a level after {op_tok[1]!r}")
        self.pos += 1
        compare, level = _COMPARE[op_tok[1]], int(num[1])
        return lambda lv: compare(lv.get(skill, 0), level)


@lru_cache(maxsize=4096)
def compile_requirement(text: str) -> Requirement:
    """Parses ``text``; raises ConfigError naming the problem and its position."""
    parser = _Parser(text)
    predicate = parser.parse()
    return Requirement(text=text.strip(), skills=tuple(parser.skills), predicate=predicate)
