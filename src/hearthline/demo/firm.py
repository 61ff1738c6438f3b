"""The demo's firm beyond routing: names, forms and outcomes, scripts, people, customers.

The routing half (queues, skills, the forty simulated agents) comes from the scenario
file; this adds what a person at the desk and a supervisor see: the client companies'
names, each campaign's outcomes and form, its script, the sign-ins, and a customer book
whose numbers the simulated callers ring from, so that many calls come from customers
with a name and a history.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, insert

from hearthline.crm.config import CampaignForms, Disposition, FieldKind, FormField
from hearthline.demo.sample import RETURNS_FORMS
from hearthline.kernel.ids import AgentId, CampaignId, ContactId, QueueId
from hearthline.routing.config import AgentProfile
from hearthline.store import config_repo, tables

FIRM = "hearth"
FIRM_NAME = "Hearth Outsourcing"
CLIENT_NAMES = {
    FIRM: FIRM_NAME,
    "northwind": "Northwind Outfitters",
    "brightwave": "Brightwave Broadband",
}
# Which client each of the scenario's campaigns belongs to.
CAMPAIGN_CLIENTS = {
    "northwind-sales": "northwind",
    "northwind-returns": "northwind",
    "brightwave-help": "brightwave",
}
CAMPAIGN_NAMES = {
    "northwind-sales": "Sales line",
    "northwind-returns": "Returns line",
    "brightwave-help": "Help line",
}
# What the consoles call the simulated agents (their ids stay the scenario's).
_GIVEN = (
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jonah",
    "Keiko",
    "Liam",
    "Mara",
    "Nils",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wes",
    "Xenia",
    "Yusuf",
    "Zoe",
)
_FAMILY = (
    "Adeyemi",
    "Brandt",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gallo",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
)


def agent_name(index: int, ident: str) -> str:
    """A person's name for simulated agent number ``index``: the same every run.

    Agents the scenario names themselves ("maya") keep that name, capitalised."""
    if not any(ch.isdigit() for ch in ident):
        return ident.replace("-", " ").title()
    return f"{_GIVEN[index % len(_GIVEN)]} {_FAMILY[(index * 7) % len(_FAMILY)]}"


# The person at the desk: an agent for every line, beside the simulated ones.
HUMAN_AGENT = AgentId("you")
HUMAN_PROFILE = AgentProfile.of(
    HUMAN_AGENT,
    # ``phone``: the demo's real calls require it (demo/speaking.py), so they come here.
    {"sales": 3, "returns": 3, "tech": 3, "phone": 1},
    CAMPAIGN_CLIENTS,
    name="You",
)
# One password for every demo sign-in: the demo serves only this machine (127.0.0.1)
# from a data directory it recreates on each run.
PASSWORD = "hearthline-demo"


@dataclass(frozen=True, slots=True)
class Person:
    username: str
    role: str
    display_name: str
    client: str | None = None
    agent: str | None = None


PEOPLE = (
    Person("supervisor", "supervisor", "Sam Supervisor"),
    Person("you", "agent", "You", agent=HUMAN_AGENT),
    Person("admin", "admin", "Ada Administrator"),
    Person("northwind", "client_viewer", "Northwind's manager", client="northwind"),
    Person("brightwave", "client_viewer", "Brightwave's manager", client="brightwave"),
)

FORMS = (
    CampaignForms(
        campaign="northwind-sales",
        dispositions=(
            Disposition("sale", "Sale", counts_as_sale=True),
            Disposition("quote-sent", "Quote sent"),
            Disposition("no-sale", "No sale"),
        ),
        fields=(
            FormField("product", FieldKind.TEXT, "Product"),
            FormField("amount", FieldKind.NUMBER, "Order value"),
        ),
    ),
    CampaignForms(
        campaign="northwind-returns",
        # Processed, prevented by exchange (a save), prevented by resale (a save and a sale).
        dispositions=RETURNS_FORMS.dispositions,
        fields=(
            FormField("order_number", FieldKind.TEXT, "Order number", required=True),
            FormField(
                "reason",
                FieldKind.CHOICE,
                "Reason for return",
                choices=("damaged", "wrong-size", "not-as-described", "changed-mind"),
            ),
        ),
    ),
    CampaignForms(
        campaign="brightwave-help",
        dispositions=(
            Disposition("resolved", "Resolved on the call"),
            Disposition("technician-booked", "Technician booked"),
            Disposition("escalated", "Escalated to second line"),
        ),
        fields=(
            FormField("account_number", FieldKind.TEXT, "Account number", required=True),
            FormField(
                "issue",
                FieldKind.CHOICE,
                "Issue",
                choices=("no-connection", "slow", "billing", "equipment", "other"),
            ),
        ),
    ),
)

SCRIPTS = {
    "northwind-sales": (
        "Good morning, Northwind Outfitters, my name is … How can I help you today?\n"
        "- Ask what they are looking for and for whom.\n"
        "- Check stock and delivery date before quoting.\n"
        "- Offer the loyalty discount to returning customers."
    ),
    "northwind-returns": (
        "Northwind returns, my name is … May I have your order number?\n"
        "- Ask the reason for the return.\n"
        "- Offer an exchange first, then store credit, then the refund.\n"
        "- Record the outcome: processed, prevented by exchange, or prevented by resale."
    ),
    "brightwave-help": (
        "Brightwave help, my name is … Can I take your account number?\n"
        "- Check the service status page for an outage in their area.\n"
        "- Restart the router with the customer, then test the line.\n"
        "- Book a technician only if the line test fails."
    ),
}

_FIRST_NAMES = (
    "Amira", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ingrid", "Jamal",
    "Keiko", "Liam", "Mei", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
)  # fmt: skip
_LAST_NAMES = (
    "Haddad", "Okafor", "Martin", "Novak", "Rossi", "Khan", "Lee", "Silva", "Berg", "Wright",
    "Sato", "Murphy", "Chen", "Fischer", "Ivanova", "Garcia", "Taylor", "Costa", "Larsen",
    "Singh",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    client: str
    name: str
    phone: str


def customers(*, seed: int, per_client: int = 120) -> tuple[Customer, ...]:
    """A customer book per client company, with UK-style numbers from the drama range."""
    rng = random.Random(seed)
    book = []
    for client in ("northwind", "brightwave"):
        for i in range(per_client):
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            phone = f"+44790{rng.randrange(10**6):06d}"
            book.append(Customer(f"{client}-{i:04d}", client, f"{first} {last}", phone))
    return tuple(book)


class CallerNumbers:
    """The number each simulated caller rings from: often a known customer of the line's
    client (so the desk shows a name and a history), otherwise an unknown number.

    Draws from its own generator, so the simulated day itself is the same either way.
    """

    def __init__(
        self, book: tuple[Customer, ...], *, queue_clients: dict[str, str], seed: int
    ) -> None:
        self._rng = random.Random(seed)
        self._by_client: dict[str, list[str]] = {}
        for c in book:
            self._by_client.setdefault(c.client, []).append(c.phone)
        self._queue_clients = queue_clients

    def __call__(self, contact: ContactId, queue: QueueId) -> str:
        known = self._by_client.get(self._queue_clients.get(queue, ""), [])
        if known and self._rng.random() < 0.6:
            return self._rng.choice(known)
        return f"+44770{self._rng.randrange(10**6):06d}"


def save_firm_extras(
    conn: Connection, *, password_hash: str, book: tuple[Customer, ...], now: float
) -> None:
    """Forms, scripts, the person at the desk, the sign-ins and the customer book."""
    for forms in FORMS:
        config_repo.save_forms(conn, forms, name=CAMPAIGN_NAMES[forms.campaign])
    for campaign, body in SCRIPTS.items():
        config_repo.save_script(conn, CampaignId(campaign), "greeting", body)
    config_repo.save_agent(conn, HUMAN_PROFILE)
    for p in PEOPLE:
        config_repo.add_user(
            conn,
            p.username,
            role=p.role,
            client=p.client,
            agent=p.agent,
            display_name=p.display_name,
            password_hash=password_hash,
        )
    conn.execute(
        insert(tables.customers),
        [
            {"id": c.id, "client_id": c.client, "name": c.name, "phone": c.phone, "created_at": now}
            for c in book
        ],
    )


def dialled_numbers(queues: Iterable[str]) -> list[dict[str, str]]:
    """A number per queue for real calls (the fictional +1 555 01xx range)."""
    return [
        {"number": f"+1555010{i}", "queue_id": queue, "label": f"{queue} line"}
        for i, queue in enumerate(queues, start=1)
    ]
