"""The quality page in a real browser: a supervisor scores a past call beside its notes
and timeline; the agent disputes it on their own page; the supervisor resolves it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

CARD = {
    "sections": [
        {
            "title": "Opening",
            "questions": [
                {"id": "greet", "text": "Greeted the caller by name", "kind": "yes_no"},
                {
                    "id": "verify",
                    "text": "Checked the order number",
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
                    "id": "exchange",
                    "text": "Offered an exchange first",
                    "kind": "scale_1_5",
                    "weight": 3,
                    "allow_na": True,
                },
                {"id": "tone", "text": "Tone", "kind": "scale_0_10", "weight": 4},
            ],
        },
    ]
}


def test_score_a_call_then_dispute_and_resolve_it(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = server.api("admin")
    assert admin.put("/api/quality/templates/acme-returns", json=CARD).status_code == 200
    admin.close()

    sup = open_as(browser, server, "super", lands_on="/supervisor")
    sup.click("#quality-link")
    sup.wait_for_url("**/quality")
    sup.click("#draw-sample")
    expect(sup.locator("#sample-table")).to_contain_text("past-0001")
    sup.get_by_role("button", name="past-0001").click()
    expect(sup.locator("#story-note")).to_have_text(
        "Jacket too small; exchanged for a larger size."
    )
    expect(sup.locator("#story")).to_contain_text("prevented-exchange")
    expect(sup.locator("#story .timeline")).to_contain_text("Offer accepted")
    card = sup.locator("#scorecard")
    for question, value in (("greet", "0"), ("verify", "1"), ("exchange", "4"), ("tone", "7")):
        card.locator(f'input[name="q-{question}"][value="{value}"]').check()
    sup.fill("#eval-comments", "No greeting by name.")
    sup.screenshot(path=str(screenshots / "quality-evaluate.png"), full_page=True)
    sup.click("#submit-evaluation")
    # (0*1 + 1*2 + 3/4*3 + 7/10*4) / 10
    expect(sup.locator("#eval-result")).to_have_text("Saved: 70.5 / 100")
    # A second evaluator scores the same call for calibration; the spread is shown.
    other = open_as(browser, server, "admin", lands_on="/supervisor")
    other.goto("/quality?contact=past-0001")
    for question, value in (("greet", "1"), ("verify", "1"), ("exchange", "na"), ("tone", "7")):
        other.locator(f'#scorecard input[name="q-{question}"][value="{value}"]').check()
    other.check("#eval-calibration")
    other.click("#submit-evaluation")
    # (1*1 + 1*2 + 7/10*4) / 7
    expect(other.locator("#eval-result")).to_have_text("Saved: 82.86 / 100")
    greet = other.locator("#spread-table tr", has_text="greet")
    # Two scorings of "greet": no and yes; low 0, high 100, mean 50, standard deviation 50.
    expect(greet.locator("td")).to_have_text(["greet", "2", "0", "100", "50", "50"])
    first = other.locator("#done-list .evaluation", has_text="by super")
    first.get_by_role("textbox").fill("Open with the caller's name.")
    first.get_by_role("button", name="Add coaching note").click()
    expect(other.locator(".toast")).to_contain_text("Coaching note saved")
    other.locator("#done-panel").scroll_into_view_if_needed()
    other.screenshot(path=str(screenshots / "quality-calibration.png"))

    maria = open_as(browser, server, "maria", lands_on="/agent")
    maria.click("#quality-link")
    maria.wait_for_url("**/quality")
    mine = maria.locator("#mine .evaluation")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("70.5 / 100")
    expect(mine).to_contain_text("Coaching from admin: Open with the caller's name.")
    expect(maria.locator("#my-trend")).to_contain_text("70.5")
    mine.get_by_role("textbox").fill("I greeted her as Mrs Rigby.")
    mine.get_by_role("button", name="Dispute").click()
    expect(mine.locator(".status")).to_have_text("disputed")
    maria.screenshot(path=str(screenshots / "quality-agent.png"), full_page=True)

    sup.reload()
    sup.select_option("#trend-by", "team")
    sup.click("#show-trends")
    # The calibration scoring counts in no trend: the one evaluation's score.
    expect(sup.locator("#trend-table tbody tr td")).to_have_text(
        [re.compile(r".+"), "acme-returns", "1", "70.5"]
    )
    dispute = sup.locator("#disputes .dispute")
    expect(dispute).to_contain_text("I greeted her as Mrs Rigby.")
    dispute.get_by_role("textbox").fill("Heard again: she did.")
    dispute.scroll_into_view_if_needed()
    sup.screenshot(path=str(screenshots / "quality-disputes.png"))
    dispute.get_by_role("button", name="Overturn").click()
    expect(sup.locator("#disputes")).to_contain_text("No disputes waiting.")
    maria.reload()
    expect(maria.locator("#mine .evaluation .status")).to_have_text("overturned")
    expect(maria.locator("#mine")).to_contain_text("Resolution: Heard again: she did.")
    no_page_errors(sup, other, maria)
