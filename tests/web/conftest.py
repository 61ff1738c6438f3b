"""A real server and Debian's chromium for the browser tests.

One server per test module (uvicorn on 127.0.0.1, a fresh SQLite file, seeded with a
firm, two client companies, their campaigns, forms, scripts, queues, agents and a user
of every role). The browser itself comes from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.server import WebServer, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    served = start_server(tmp_path_factory.mktemp("web") / "hearthline.sqlite3")
    yield served
    served.stop()
