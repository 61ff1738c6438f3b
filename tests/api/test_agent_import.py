"""Agents in bulk from CSV: a dry run lists every bad row; an import is all or nothing;
search by id, name, skill or campaign."""

from __future__ import annotations

import httpx

from tests.api.support import Served

CSV = {"Content-Type": "text/csv"}
GOOD = (
    "id,name,skills,campaigns\n"
    "b100,Bea Brown,returns:3,acme-returns\n"
    "a001,Agent One Renamed,returns:2;sales:1,acme-returns;globex-sales\n"
)
BAD = (
    "id,name,skills,campaigns\n"
    "b200,Fine Row,returns:2,acme-returns\n"
    "b201,Unknown Skill,claims:2,acme-returns\n"
    "b202,Unknown Campaign,returns:1,acme-sales\n"
    "b203,Bad Level,returns:high,acme-returns\n"
    "b200,Twice,returns:1,acme-returns\n"
    "b204,Short Row,returns:1\n"
    "bad id!,Bad Id,,\n"
)


def _import(admin: httpx.Client, body: str | bytes, **params: str) -> httpx.Response:
    return admin.post("/api/admin/agents/import", content=body, headers=CSV, params=params)


def _audit_size(admin: httpx.Client) -> int:
    return len(admin.get("/api/admin/audit", params={"limit": 1000}).json())


def test_a_dry_run_lists_every_bad_row_and_an_import_with_one_changes_nothing(
    served: Served,
) -> None:
    admin = served.login("admin")
    audited = _audit_size(admin)
    dry = _import(admin, BAD, dry_run="true")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["dry_run"] is True and report["applied"] is False
    assert report["created"] == ["b200"]
    reasons = {p["line"]: p["reason"] for p in report["problems"]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "unknown skill 'claims'" in reasons[3]
    assert "unknown campaign 'acme-sales'" in reasons[4]
    assert "bad level 'high'" in reasons[5]
    assert "duplicate id 'b200'" in reasons[6] and "line 2" in reasons[6]
    assert "missing column 'campaigns'" in reasons[7]
    assert "bad id" in reasons[8]
    assert admin.get("/api/admin/agents/b200").status_code == 404

    refused = _import(admin, BAD)
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid"
    assert "nothing was imported" in refused.json()["message"]
    assert sorted({p["line"] for p in refused.json()["problems"]}) == [3, 4, 5, 6, 7, 8]
    assert admin.get("/api/admin/agents/b200").status_code == 404
    assert _audit_size(admin) == audited


def test_an_import_saves_and_audits_every_agent_and_search_finds_them(served: Served) -> None:
    admin = served.login("admin")
    dry = _import(admin, GOOD, dry_run="true").json()
    assert (dry["created"], dry["updated"], dry["problems"]) == (["b100"], ["a001"], [])
    assert admin.get("/api/admin/agents/b100").status_code == 404

    done = _import(admin, GOOD)
    assert done.status_code == 200, done.text
    assert done.json()["applied"] is True
    bea = admin.get("/api/admin/agents/b100").json()
    assert bea == {
        "id": "b100",
        "name": "Bea Brown",
        "skills": {"returns": 3},
        "campaigns": ["acme-returns"],
    }
    a001 = admin.get("/api/admin/agents/a001").json()
    assert a001["skills"] == {"returns": 2, "sales": 1}
    assert a001["campaigns"] == ["acme-returns", "globex-sales"]
    audit = admin.get("/api/admin/audit", params={"limit": 2}).json()
    assert [(e["action"], e["target"]) for e in audit] == [
        ("agent.put", "a001"),
        ("agent.put", "b100"),
    ]
    # The core knows the new agent at once: its client's supervisor sees them.
    acme = served.login("sup-acme").get("/api/supervisor/agents").json()
    assert "b100" in {a["id"] for a in acme}

    def search(q: str) -> list[str]:
        return [a["id"] for a in admin.get("/api/admin/agents", params={"q": q}).json()]

    assert search("bea") == ["b100"]
    assert search("globex") == ["a001", "g000"]
    assert search("SALES renamed") == ["a001"]
    assert search("b100") == ["b100"]
    assert len(search("")) == 5


def test_a_file_that_cannot_be_read_is_refused_with_the_reason(served_sqlite: Served) -> None:
    admin = served_sqlite.login("admin")
    cases: list[tuple[bytes, int, str]] = [
        (b"", 422, "request body"),
        (b"id,name\n", 422, "missing: skills, campaigns"),
        (b"b1,Ann,returns:1,acme-returns\n", 422, "header"),
        ("id,name,skills,campaigns\nb1,Ann,returns:1,acme\xff\n".encode("latin-1"), 422, "UTF-8"),
        (b"id,name,skills,campaigns\n", 422, "no agents"),
        (b"id,name,skills,campaigns,extra\n", 422, "unknown columns"),
        (b"id,name,skills,campaigns\n" + b"x" * (1024 * 1024 + 1), 413, "at most"),
    ]
    for body, status, words in cases:
        for dry in ("true", "false"):
            r = _import(admin, body, dry_run=dry)
            assert r.status_code == status, (body[:40], r.text)
            assert words in r.json()["message"], r.text
    nul = _import(admin, "id,name,skills,campaigns\nb1,A\x00nn,,\n", dry_run="true")
    assert nul.status_code == 200
    assert nul.json()["problems"] == [
        {"line": 2, "agent_id": "b1", "reason": "bad name: contains a NUL character"}
    ]
    for who in ("sup", "sup-acme", "acme-viewer", "a000"):
        assert _import(served_sqlite.login(who), GOOD).status_code == 403
    assert admin.get("/api/admin/agents/b100").status_code == 404
