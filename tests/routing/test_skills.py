from __future__ import annotations

import pickle
import re

import pytest

from hearthline.routing import ConfigError
from hearthline.routing.skills import compile_requirement


@pytest.mark.parametrize(
    ("text", "levels", "expected"),
    [
        ("*", {}, True),
        ("billing", {"billing": 1}, True),
        ("billing", {"billing": 0}, False),
        ("billing", {}, False),
        ("billing>=3", {"billing": 3}, True),
        ("billing>=3", {"billing": 2}, False),
        ("billing>3", {"billing": 3}, False),
        ("billing<=2", {}, True),
        ("billing==2", {"billing": 2}, True),
        ("billing!=2", {"billing": 2}, False),
        ("billing>=3 & (english>=2 | french>=2)", {"billing": 3, "french": 2}, True),
        ("billing>=3 & (english>=2 | french>=2)", {"billing": 3, "german": 5}, False),
        ("billing and not vip", {"billing": 1}, True),
        ("billing and not vip", {"billing": 1, "vip": 1}, False),
        ("returns | sales>=5", {"sales": 5}, True),
    ],
)
def test_requirement_matches_levels(text: str, levels: dict[str, int], expected: bool) -> None:
    assert compile_requirement(text)(levels) is expected


def test_requirement_lists_skills_in_order_named() -> None:
    assert compile_requirement("b>=1 & (a | b | c)").skills == ("b", "a", "c")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("billing >=", "expected a level after '>=' at the end"),
        ("billing & ", "expected a skill name, found the end"),
        ("(billing", "missing ')'"),
        ("billing )", "unexpected ')' at position 8"),
        ("billing $ 3", "unexpected character '$' at position 8"),
    ],
)
def test_bad_requirement_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        compile_requirement(text)


def test_compiled_requirement_survives_pickling() -> None:
    req = compile_requirement("billing>=2")
    again = pickle.loads(pickle.dumps(req))
    assert again({"billing": 2}) and not again({"billing": 1})
