"""Quality over real HTTP: a scorecard, an evaluation of a call from the log, the agent's
dispute and its resolution, coaching, trends, calibration and the weekly sample; each
client company and each agent sees only its own."""

from __future__ import annotations

from tests.api.support import Served, handle_a_call

CARD = {
    "sections": [
        {
            "title": "Opening",
            "questions": [
                {"id": "greet", "text": "Greeted the caller", "kind": "yes_no"},
                {
                    "id": "verify",
                    "text": "Verified the order",
                    "kind": "yes_no",
                    "weight": 2,
                    "critical": True,
                },
            ],
        },
        {
            "title": "Handling",
            "questions": [
                {
                    "id": "empathy",
                    "text": "Empathy",
                    "kind": "scale_1_5",
                    "weight": 3,
                    "allow_na": True,
                },
                {"id": "resolution", "text": "Resolved", "kind": "scale_0_10", "weight": 4},
            ],
        },
    ]
}


def handle_call(
    app: Served, agent_name: str = "a000", disposition: str = "return-processed"
) -> str:
    return handle_a_call(
        app, agent_name, disposition, text="refund agreed", then="/api/agent/wrap-up/finish"
    )


def test_evaluate_dispute_resolve_and_read_by_role(served: Served) -> None:
    sup = served.login("sup-acme")
    assert sup.put("/api/quality/templates/acme-returns", json=CARD).status_code == 200
    contact = handle_call(served)

    seen = sup.get(f"/api/quality/contacts/{contact}")
    assert seen.status_code == 200, seen.text
    context = seen.json()
    assert context["contact"]["note"] == "refund agreed"
    assert context["contact"]["disposition"] == "return-processed"
    assert any(e["type"] == "OfferAccepted" for e in context["contact"]["events"])
    assert context["template"]["version"] == 1 and context["agents"] == ["a000"]

    bad = sup.post(
        "/api/quality/evaluations",
        json={"contact_id": contact, "answers": {"greet": 1, "verify": 1, "empathy": 9}},
    )
    assert bad.status_code == 422 and "empathy" in bad.json()["message"]
    made = sup.post(
        "/api/quality/evaluations",
        json={
            "contact_id": contact,
            "answers": {"greet": 0, "verify": 1, "empathy": 4, "resolution": 7},
            "comments": "forgot the greeting",
        },
    )
    assert made.status_code == 201, made.text
    evaluation = made.json()
    assert evaluation["score"] == 70.5 and evaluation["agent_id"] == "a000"

    # An edit is a new version; the evaluation keeps the one it was made with.
    assert sup.put("/api/quality/templates/acme-returns", json=CARD).json()["version"] == 2
    ident = evaluation["id"]
    assert (
        served.login("a000").get(f"/api/quality/evaluations/{ident}").json()["template"]["version"]
        == 1
    )

    for who in ("a001", "g000", "globex-viewer", "sup-globex"):
        assert served.login(who).get(f"/api/quality/evaluations/{ident}").status_code == 404, who
    viewer = served.login("acme-viewer")
    assert [e["id"] for e in viewer.get("/api/quality/evaluations").json()] == [ident]
    assert (
        viewer.post(f"/api/quality/evaluations/{ident}/coaching", json={"text": "x"}).status_code
        == 403
    )
    assert served.login("globex-viewer").get("/api/quality/evaluations").json() == []

    agent = served.login("a000")
    empty = agent.post(f"/api/quality/evaluations/{ident}/dispute", json={"comment": " "})
    assert empty.status_code == 422
    r = agent.post(f"/api/quality/evaluations/{ident}/dispute", json={"comment": "I did greet"})
    assert r.status_code == 200 and r.json()["status"] == "disputed"
    again = agent.post(f"/api/quality/evaluations/{ident}/acknowledge", json={})
    assert again.status_code == 409 and "disputed" in again.json()["message"]
    assert [e["id"] for e in sup.get("/api/quality/disputes").json()] == [ident]
    assert served.login("sup-globex").get("/api/quality/disputes").json() == []

    r = sup.post(
        f"/api/quality/evaluations/{ident}/resolve",
        json={"decision": "overturn", "comment": "the greeting is on the recording"},
    )
    assert r.status_code == 200 and r.json()["status"] == "overturned"
    assert sup.get("/api/quality/disputes").json() == []
    note = sup.post(f"/api/quality/evaluations/{ident}/coaching", json={"text": "use the name"})
    assert note.status_code == 201
    mine = agent.get(f"/api/quality/evaluations/{ident}").json()
    assert [c["text"] for c in mine["coaching"]] == ["use the name"]
    # Overturned: out of the trends.
    assert agent.get("/api/quality/trends").json() == []


def test_calibration_trends_and_the_weekly_sample(served_sqlite: Served) -> None:
    app = served_sqlite
    admin = app.login("admin")
    admin.put("/api/quality/templates/acme-returns", json=CARD)
    contact = handle_call(app)
    other = handle_call(app, "a000", "prevented-exchange")
    answers = [
        {"greet": 1, "verify": 1, "empathy": 5, "resolution": 10},
        {"greet": 0, "verify": 1, "empathy": None, "resolution": 10},
    ]
    for who, given in zip(("admin", "sup-acme"), answers, strict=True):
        r = app.login(who).post(
            "/api/quality/evaluations",
            json={"contact_id": contact, "answers": given, "calibration": True},
        )
        assert r.status_code == 201, r.text
    spread = admin.get(f"/api/quality/calibration/{contact}").json()
    assert spread["evaluators"] == ["admin", "sup-acme"]
    by_question = {s["question"]: s for s in spread["spreads"]}
    # The second scoring: (0*1 + 1*2 + 1*4) / 7
    assert by_question[""]["low"] == 85.71 and by_question[""]["high"] == 100
    assert by_question["greet"]["stdev"] == 50 and by_question["empathy"]["evaluations"] == 1
    # Calibration scorings are the evaluators' exercise, not the agent's record.
    assert app.login("a000").get("/api/quality/evaluations").json() == []

    made = admin.post(
        "/api/quality/evaluations",
        json={"contact_id": other, "answers": answers[0]},
    )
    assert made.status_code == 201
    [point] = admin.get("/api/quality/trends", params={"by": "team"}).json()
    assert point["who"] == "acme-returns" and point["mean"] == 100 and point["evaluations"] == 1
    [mine] = app.login("a000").get("/api/quality/trends", params={"question": "greet"}).json()
    assert mine["who"] == "a000" and mine["mean"] == 100

    sample = admin.get("/api/quality/sample", params={"quota": 1, "seed": 7}).json()
    [agent] = sample["agents"]
    assert agent["agent_id"] == "a000" and agent["handled"] == 2 and len(agent["sample"]) == 1
    assert sample == admin.get("/api/quality/sample", params={"quota": 1, "seed": 7}).json()
    both = admin.get("/api/quality/sample", params={"quota": 2}).json()["agents"][0]["sample"]
    assert {s["outcome"] for s in both} == {"return-processed", "prevented-exchange"}
    assert app.login("sup-globex").get("/api/quality/sample").json()["agents"] == []


def test_a_contact_of_a_campaign_without_a_scorecard_cannot_be_evaluated(
    served_sqlite: Served,
) -> None:
    contact = handle_call(served_sqlite)
    sup = served_sqlite.login("sup-acme")
    r = sup.post("/api/quality/evaluations", json={"contact_id": contact, "answers": {}})
    assert r.status_code == 409 and "no scorecard" in r.json()["message"]
    r = sup.post("/api/quality/evaluations", json={"contact_id": "nope", "answers": {}})
    assert r.status_code == 404
    bad = dict(
        CARD, sections=[{"title": "x", "questions": [CARD["sections"][0]["questions"][0]] * 2}]
    )
    r = sup.put("/api/quality/templates/acme-returns", json=bad)
    assert r.status_code == 422 and "appears twice" in r.json()["message"]
    assert (
        served_sqlite.login("sup-globex")
        .put("/api/quality/templates/acme-returns", json=CARD)
        .status_code
        == 404
    )
