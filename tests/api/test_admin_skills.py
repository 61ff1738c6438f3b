"""Skill names are checked where they are configured: a typing mistake is refused with
the known names, and a queue nobody can serve is saved with a warning."""

from __future__ import annotations

from tests.api.support import Served


def test_a_requirement_naming_an_unknown_skill_is_refused_with_the_known_ones(
    served: Served,
) -> None:
    admin = served.login("admin")
    assert admin.put("/api/admin/skills/claims", json={"name": "Claims"}).status_code == 200

    r = admin.put(
        "/api/admin/queues/claims",
        json={"campaign_id": "acme-returns", "requirement": "claim>=2"},
    )
    assert r.status_code == 422
    assert r.json()["message"] == (
        "unknown skill 'claim' in the requirement; known skills: claims, returns, sales"
    )
    r = admin.put(
        "/api/admin/queues/claims",
        json={
            "campaign_id": "acme-returns",
            "requirement": "claims>=2",
            "steps": [{"after_s": 60, "requirement": "claims | retruns"}],
        },
    )
    assert r.status_code == 422
    assert "unknown skill 'retruns' in the requirement of step 1" in r.json()["message"]
    r = admin.put(
        "/api/admin/queues/claims",
        json={"campaign_id": "acme-returns", "strategy": "highest-skill", "rank_skill": "clams"},
    )
    assert r.status_code == 422 and "'clams'" in r.json()["message"]

    # Nothing refused was stored, nor audited.
    assert admin.get("/api/admin/queues/claims").status_code == 404
    assert [a["action"] for a in admin.get("/api/admin/audit").json()] == ["skill.put"]


def test_an_agent_with_an_unknown_skill_is_refused_and_keeps_their_skills(served: Served) -> None:
    admin = served.login("admin")
    before = admin.get("/api/admin/agents/a001").json()
    r = admin.put(
        "/api/admin/agents/a001",
        json={"name": "Agent 1", "skills": {"klingon": 3, "returns": 2}, "campaigns": []},
    )
    assert r.status_code == 422
    assert r.json()["message"] == "unknown skill 'klingon'; known skills: returns, sales"
    assert admin.get("/api/admin/agents/a001").json() == before
    assert "klingon" not in [k["id"] for k in admin.get("/api/admin/skills").json()]


def test_a_queue_no_agent_can_serve_is_saved_with_a_warning(served: Served) -> None:
    admin = served.login("admin")
    admin.put("/api/admin/skills/claims", json={"name": "Claims"})

    r = admin.put(
        "/api/admin/queues/claims",
        json={"campaign_id": "acme-returns", "requirement": "claims>=2"},
    )
    assert r.status_code == 200
    assert r.json()["warnings"] == [
        "no agent can serve queue 'claims' yet: none certified for campaign "
        "'acme-returns' meets 'claims>=2'"
    ]
    # Once an agent has the skill, the same queue saves without a warning.
    agent = {"name": "Agent 1", "skills": {"claims": 2}, "campaigns": ["acme-returns"]}
    assert admin.put("/api/admin/agents/a001", json=agent).status_code == 200
    r = admin.put(
        "/api/admin/queues/claims",
        json={"campaign_id": "acme-returns", "requirement": "claims>=2"},
    )
    assert r.status_code == 200 and r.json()["warnings"] == []
    # The queue that serves calls today raises none.
    r = admin.put("/api/admin/queues/returns", json={"campaign_id": "acme-returns"})
    assert r.status_code == 200 and r.json()["warnings"] == []
