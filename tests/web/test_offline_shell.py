"""The agent page works offline only if the service worker caches every file it loads:
one module missing from ``sw.js``'s shell and the whole page fails to start offline."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "hearthline" / "web"
STATIC = WEB / "static"

_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?from\s*["'](\./[^"']+)["']""", re.M)
_BARE_IMPORT = re.compile(r"""^\s*import\s*["'](\./[^"']+)["']""", re.M)


def _shell() -> set[str]:
    text = (STATIC / "js" / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", text, re.S)
    assert block is not None, "sw.js has no SHELL list"
    return set(re.findall(r'"([^"]+)"', block.group(1)))


def _page_files(page: str) -> set[str]:
    """Every static file ``page`` loads: its links and scripts, and the modules they import,
    followed to the end."""
    html = (WEB / "pages" / page).read_text()
    found = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))
    todo = [f for f in found if f.endswith(".js")]
    while todo:
        url = todo.pop()
        source = (STATIC / url.removeprefix("/static/")).read_text()
        for rel in _IMPORT.findall(source) + _BARE_IMPORT.findall(source):
            target = "/static/js/" + rel.removeprefix("./")
            if target not in found:
                found.add(target)
                todo.append(target)
    return found


def test_the_offline_shell_holds_every_file_the_agent_page_loads() -> None:
    loaded = _page_files("agent.html")
    assert "/static/js/softphone.js" in loaded  # the walk follows imports
    assert loaded - _shell() == set()


def test_the_offline_shell_names_only_files_that_exist() -> None:
    for url in _shell() - {"/agent"}:
        assert (STATIC / url.removeprefix("/static/")).is_file(), url
