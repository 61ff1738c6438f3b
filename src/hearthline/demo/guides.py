"""The demo firm's call guides: each campaign's script as steps that branch on what the
caller answers, so `hearthline demo` shows a guide on every call."""

from __future__ import annotations

from hearthline.knowledge.guides import Answer, Guide, Step, guide


def _a(*pairs: tuple[str, str]) -> tuple[Answer, ...]:
    return tuple(Answer(label, nxt) for label, nxt in pairs)


GUIDES: dict[str, Guide] = {
    "northwind-sales": guide(
        [
            Step(
                "greet",
                "Good morning, Northwind Outfitters, my name is … How can I help you today?\n\n"
                "Is the caller a **returning customer**?",
                _a(("Returning", "loyalty"), ("New", "needs"), ("Just browsing", "close")),
            ),
            Step(
                "loyalty",
                "Thank them for coming back and mention the **loyalty discount** (10 %).",
                _a(("Continue", "needs")),
            ),
            Step(
                "needs",
                "Ask what they are looking for and for whom. Check stock and the delivery date "
                "before quoting. Is it in stock?",
                _a(("In stock", "order"), ("Out of stock", "backorder")),
            ),
            Step("order", "Take the order and read back the delivery date.", _a(("Done", "close"))),
            Step(
                "backorder",
                "Offer a back-order with the expected date, or a similar item in stock.",
                _a(
                    ("Back-order taken", "close"),
                    ("Alternative taken", "order"),
                    ("Declined", "close"),
                ),
            ),
            Step("close", "Is there anything else I can help you with today? Record the outcome."),
        ]
    ),
    "northwind-returns": guide(
        [
            Step(
                "greet",
                "Northwind returns, my name is … May I have your **order number**?\n\n"
                "Why is the item coming back?",
                _a(
                    ("Damaged", "damaged"), ("Wrong size", "exchange"), ("Changed mind", "exchange")
                ),
            ),
            Step(
                "damaged",
                "Ask for a photo of the damage by email. Damaged items are refunded in full "
                "or replaced; no exchange is needed first.",
                _a(("Replace", "close"), ("Refund", "refund")),
            ),
            Step(
                "exchange",
                "Offer an **exchange** first (another size or colour).",
                _a(("Accepts exchange", "close"), ("Declines", "credit")),
            ),
            Step(
                "credit",
                "Offer **store credit** with 10 % on top.",
                _a(("Accepts credit", "close"), ("Declines", "refund")),
            ),
            Step(
                "refund",
                "Process the refund to the original payment. Over 200 needs a team leader: "
                "ask in the help channel.",
                _a(("Refunded", "close")),
            ),
            Step(
                "close",
                "Record the outcome: processed, prevented by exchange, or prevented by resale.",
            ),
        ]
    ),
    "brightwave-help": guide(
        [
            Step(
                "greet",
                "Brightwave help, my name is … Can I take your **account number**?\n\n"
                "Check the service status page: is there an outage in their area?",
                _a(("Outage", "outage"), ("No outage", "router")),
            ),
            Step(
                "outage",
                "Tell the customer the estimated repair time from the status page; no "
                "technician is needed.",
                _a(("Understood", "close")),
            ),
            Step(
                "router",
                "Restart the router with the customer (off 30 seconds), then run the line "
                "test. Does the line test pass?",
                _a(("Passes", "fixed"), ("Fails", "technician")),
            ),
            Step("fixed", "Confirm the service works on their device.", _a(("Works", "close"))),
            Step(
                "technician",
                "Book a technician: offer the first two slots and confirm the address.",
                _a(("Booked", "close")),
            ),
            Step("close", "Is there anything else? Record the outcome and the ticket number."),
        ]
    ),
}
