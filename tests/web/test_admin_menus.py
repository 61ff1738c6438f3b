"""The menu editor in the administration pages: the flow as JSON beside its tree, the
server's refusal naming the node shown as is, and a good flow saved and listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

NUMBER = "+15550500"


def _flow(*extra: dict[str, object]) -> str:
    return json.dumps(
        {
            "start": "main",
            "operator": "returns",
            "nodes": [
                {"id": "main", "kind": "menu", "prompt": "greeting",
                 "options": {"1": "returns", "2": "bye"}},
                {"id": "returns", "kind": "queue", "queue": "returns"},
                {"id": "bye", "kind": "hangup"},
                *extra,
            ],
        }
    )  # fmt: skip


def test_an_administrator_edits_a_menu_sees_its_tree_and_the_node_a_refusal_names(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.goto("/admin#menus")
    expect(admin.locator("#list-title")).to_have_text("Menus")
    admin.click("#new-button")
    editor = admin.locator("#editor")
    editor.get_by_label("Number", exact=True).fill(NUMBER)
    editor.get_by_label("Client company", exact=True).select_option("acme")
    area = editor.get_by_label("Menu JSON")

    area.fill(_flow({"id": "orphan", "kind": "hangup"}))
    tree = admin.locator("#menu-tree")
    expect(tree.locator('li[data-node="returns"]')).to_contain_text("press 1: returns (queue")
    expect(tree).to_contain_text("unreachable: orphan")
    with admin.expect_response(lambda r: "/api/admin/menus/" in r.url) as answered:
        editor.get_by_role("button", name="Create").click()
    assert answered.value.status == 422
    expect(admin.locator("#editor-error")).to_contain_text("node 'orphan'")
    expect(admin.locator("#editor-error")).to_contain_text("unreachable")
    admin.screenshot(path=str(screenshots / "admin-menu-refused.png"))

    area.fill(_flow())
    expect(tree).not_to_contain_text("unreachable")
    with admin.expect_response(lambda r: "/api/admin/menus/" in r.url) as answered:
        editor.get_by_role("button", name="Create").click()
    assert answered.value.ok, answered.value.text()
    row = admin.locator(f'#list tr[data-id="{NUMBER}"]')
    expect(row).to_contain_text("acme")
    row.click()
    expect(admin.locator("#menu-tree")).to_contain_text("press 2: bye (hangup)")
    admin.screenshot(path=str(screenshots / "admin-menu-tree.png"))
    no_page_errors(admin)
