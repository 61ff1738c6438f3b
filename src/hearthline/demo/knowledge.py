"""The demo firm's procedures: articles for each client company's lines, and a bulletin.

Written as a team leader would for agents on the phone: short, in the order of the call,
with the numbers that matter. The labelled questions in tests/knowledge/ are asked over
exactly these articles.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import Engine

from hearthline.demo.firm import CAMPAIGN_CLIENTS, CAMPAIGN_NAMES, CLIENT_NAMES, FIRM
from hearthline.demo.guides import GUIDES
from hearthline.kernel.ids import CampaignId, ClientId
from hearthline.knowledge.articles import ArticleDraft
from hearthline.knowledge.bulletins import BulletinDraft
from hearthline.routing.config import DEFAULT_REASONS, CampaignConfig, RoutingConfig
from hearthline.service.actions import guides as guide_actions
from hearthline.service.actions import knowledge as actions
from hearthline.store import config_repo

RETURNS, SALES, HELP = ("northwind-returns",), ("northwind-sales",), ("brightwave-help",)


@dataclass(frozen=True, slots=True)
class Editor:
    """Who the demo's articles are saved as (the administrator's account)."""

    user_id: int = 0
    username: str = "admin"


@dataclass(frozen=True, slots=True)
class Article:
    client: str
    campaigns: tuple[str, ...]
    title: str
    tags: tuple[str, ...]
    body: str


ARTICLES = (
    # Northwind Outfitters, the returns line ---------------------------------------------------
    Article(
        "northwind",
        RETURNS,
        "Standard returns within 30 days",
        ("returns", "policy"),
        """
Customers may return **unworn items with the tags attached within 30 days of delivery**.

1. Take the order number and check the delivery date in the order history.
2. Confirm the item is unworn and still has its tags.
3. Offer an exchange or store credit first (see *Wrong size: exchange first*).
4. If they still want their money back, process the return; the refund goes to the
   original payment method once the warehouse receives the parcel.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Damaged or faulty item received",
        ("damaged", "faulty"),
        """
When an item arrived **damaged or faulty**, apologise and ask for a **photo of the damage**
sent to returns@northwind.example.

- Under £20: do not ask for it back; send a replacement or refund straight away.
- £20 and over: send a prepaid return label; replacement ships when the photo is checked.
- Choose the reason *damaged* on the form.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Wrong size: exchange first",
        ("exchange", "size"),
        """
If the size is wrong, **offer a free exchange before a refund**.

Check stock of the other size while the customer is on the line. Exchanges ship free as
soon as the return is scanned by the carrier. Record *Return prevented by exchange*.
If the size is out of stock, offer another colour or store credit.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Prepaid return label",
        ("label", "postage"),
        """
Send the **prepaid return label** by email from the order screen (*Send label*). The label
is valid for **14 days** and can be used at any post office or parcel locker. Customers
keep the proof of postage receipt until the refund arrives. We never charge for return
postage on UK orders.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Refund status and timing",
        ("refund",),
        """
Refunds are issued when the warehouse **receives and checks the return**, usually 3 to 5
working days after drop-off. The money then takes **up to 5 working days** to show on the
card statement, depending on the bank. Check the return tracking link in the order
history before promising a date. PayPal refunds appear within 24 hours.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Returns after the 30-day window",
        ("late return",),
        """
After 30 days we cannot give a refund to the card. Up to **60 days** a team leader may
approve **store credit** as a goodwill gesture: ask in the help channel with the order
number. After 60 days, explain politely that the item can no longer be returned unless it
is faulty (see the warranty article).
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Returning a gift",
        ("gift",),
        """
A gift can be returned without the buyer knowing. Ask for the **gift receipt number** or
the order number. The refund is issued as a **Northwind gift card** in the recipient's
name, never to the buyer's card. Exchanges for another size work as usual.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Sale and clearance items",
        ("clearance", "final sale"),
        """
Items marked **final sale** or **clearance** cannot be returned or refunded, unless they
are faulty. Check the order line: clearance items show a red *C*. Customers may still
exchange a clearance item for another size within 14 days if it is in stock.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Footwear returns",
        ("boots", "shoes"),
        """
Boots and shoes can be returned within 30 days **only if worn indoors**: soles must be
clean and unmarked. Ask the customer to check the soles. Footwear worn outside is not
accepted unless it is faulty (split seam, detached sole): then follow the damaged item
procedure.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Return parcel lost in transit",
        ("lost", "tracking"),
        """
If the return tracking shows **no movement for 10 days**, the parcel is probably lost.
Ask for the **proof of postage** (photo of the receipt). With proof of postage, refund in
full now and open a carrier claim from the order screen. Without proof, ask the customer
to contact the post office and call back.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Store credit with a bonus",
        ("store credit",),
        """
Before processing a refund, offer **store credit with a 10% bonus**: a £50 refund becomes
£55 to spend at Northwind, valid for 24 months. If the customer accepts, record *Return
prevented by resale*. Never pressure: if they say no, process the refund.
""",
    ),
    Article(
        "northwind",
        RETURNS,
        "Jacket waterproof guarantee and repairs",
        ("warranty",),
        """
Northwind jackets carry a **2-year waterproof guarantee**. If a jacket leaks at the seams
or the zip fails within two years, offer a **free repair** (3 weeks) or a replacement if
the repair is not possible. Ask for the order number and a description of the fault.
Wear and tear such as worn cuffs is not covered.
""",
    ),
    # Northwind Outfitters, the sales line -----------------------------------------------------
    Article(
        "northwind",
        SALES,
        "Loyalty discount for members",
        ("loyalty", "discount"),
        """
Returning customers who are **loyalty members** get **10% off** full-price items. Check
membership on the customer card. Apply the code **LOYAL10** at checkout; it does not
combine with other promotions. Customers can join the loyalty club for free on the call.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Delivery options and costs",
        ("delivery", "shipping"),
        """
- **Standard delivery**: 3 to 5 working days, free over £50, otherwise £3.95.
- **Express delivery**: next working day, £6.95, if ordered **before 2 pm**.
- Click and collect in store: free, ready in 2 days.
Delivery dates are estimates; quote the date shown at checkout.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Sizing guide and fit advice",
        ("size", "fit"),
        """
Ask the customer's **chest and waist measurements** and use the size chart on the product
page. Between two sizes, choose the **larger one for layering** (jackets) and the smaller
for base layers. Women's and men's charts differ. Offer the free exchange if unsure.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Checking stock and back orders",
        ("stock",),
        """
The product screen shows **stock per size and colour**. When an item is out of stock,
check the **back-order date**: the customer can order now and it ships when it arrives.
Otherwise, set up a *notify me* email alert for when it is back in stock.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Payment methods and declined cards",
        ("payment", "card"),
        """
We accept cards, PayPal and **Klarna pay in 3**. **Never take card numbers by phone**:
send the secure payment link by text. If a card is **declined**, ask the customer to
check with their bank or try another card; we cannot see the reason for a decline.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Price match promise",
        ("price match",),
        """
We **match a competitor's price** for an identical item (same brand, model, colour) that
is in stock at a UK retailer. Ask for the link, check it, and apply a manual discount up to
£100 difference. Marketplace sellers and clearance prices do not count.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Gift cards and vouchers",
        ("gift card", "voucher"),
        """
Gift cards from £10 to £500 are sent by email or post. They are **valid for 24 months**
and cannot be exchanged for cash. To check a **balance**, take the 16-digit number. A lost
physical gift card can be replaced if the buyer has the order number.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Changing or cancelling an order",
        ("cancel", "order"),
        """
An order can be **changed or cancelled within 1 hour** of ordering, before it is sent to
the warehouse: use *Cancel order* on the order screen. After dispatch it cannot be
stopped: the customer refuses delivery or returns it for a refund.
""",
    ),
    Article(
        "northwind",
        SALES,
        "International shipping and customs",
        ("international",),
        """
We ship to the **EU, Norway and Switzerland** in 7 to 10 working days for £12.95. Customs
duties and import VAT are **paid by the customer** on delivery. We do not ship to the USA
or Canada yet.
""",
    ),
    Article(
        "northwind",
        SALES,
        "Promotion codes that do not work",
        ("promotion", "coupon"),
        """
When a **discount code is not working**: check the code's expiry date, the minimum spend
and excluded brands. **One code per order**. If the code is valid and still refused, apply
the discount manually and note the code on the order.
""",
    ),
    # Brightwave Broadband, the help line ------------------------------------------------------
    Article(
        "brightwave",
        HELP,
        "No internet connection: first checks",
        ("no connection",),
        """
1. Check the **service status page** for an outage at the customer's postcode.
2. Ask which **router lights** are on (see *Router lights explained*).
3. **Restart the router**: off at the wall for 30 seconds, then on; wait 3 minutes.
4. Run the **line test** from the account screen. If it fails, see *Booking a technician*.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Slow broadband speed",
        ("slow", "speed"),
        """
Ask the customer to run a **speed test on a device plugged in by cable**, not over Wi-Fi.
If the wired speed is fine, the Wi-Fi is the issue: move the router, change the Wi-Fi
channel in the app. If the wired speed is **below the minimum guaranteed speed** for three
days in a row, the customer may leave without a fee: escalate to second line.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Router lights explained",
        ("router", "lights"),
        """
- **Power** green: on. Off: check the plug and the power adapter.
- **Broadband** flashing orange: no sync with the exchange; check the cable to the socket.
- **Internet** red: synced but not signed in; restart the router.
- **Wi-Fi** blue: the wireless network is on.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Booking a technician visit",
        ("engineer", "visit"),
        """
Book a **technician** only when the **line test fails**. Offer the first free slot. If the
fault is found in the customer's home wiring, there is a **£65 call-out fee**: warn the
customer before booking. Record *Technician booked*.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Billing questions and unexpected charges",
        ("billing", "bill"),
        """
Open the **bill breakdown** on the account screen and go through it with the customer.
Common surprises: **calls outside the bundle**, a first bill covering part of a month,
and the price rise each April. An **overcharge refund** over £20 needs a team leader's
approval.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Moving home",
        ("moving", "address"),
        """
Customers moving home give **30 days notice**. Check broadband availability at the **new
address**, then book the transfer from the account screen. The contract continues; there
is no fee when the same plan is available. If it is not, see the cancellation article.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Cancelling and early termination fees",
        ("cancel", "contract"),
        """
New customers may cancel within the **14-day cooling-off period** free of charge. After
that, cancelling before the end of the contract costs an **early termination fee**: the
monthly price times the months left. Offer the **retention deal** before cancelling. Notice
period is 30 days.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Wi-Fi name and password",
        ("wifi", "password"),
        """
The default **Wi-Fi network name and password** are on the **sticker on the back of the
router**. Customers can change them in the Brightwave app under *My Wi-Fi*. If the router
was reset, the sticker password works again.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Service outage in the area",
        ("outage",),
        """
When the **status page shows an outage** at the customer's postcode, give the estimated fix
time and **do not book a technician**. Customers are **compensated automatically** after two
full days without service: £9.95 for each day, credited on the next bill.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Identity verification before account changes",
        ("security",),
        """
Before any change to an account, **verify the caller's identity**: full name, postcode and
either the **security PIN** or the last four digits of the bank account. Never change an
account for someone who fails verification, even a family member. This is required for
data protection (GDPR).
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Bereavement: the account holder has died",
        ("bereavement",),
        """
Offer condolences and take your time. Ask for a copy of the **death certificate** by post
or email. The account can be **transferred** to another household member or closed with
**no early termination fee**. Flag the account *Bereavement* so no bills are sent meanwhile.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Upgrading to full fibre",
        ("upgrade", "fibre"),
        """
Check **full fibre availability** for the postcode. An upgrade restarts an 18-month contract;
the installation is free, the new router is sent in 3 days. Customers already in contract
can upgrade at any time without a fee.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Complaints and escalation",
        ("complaint",),
        """
When a customer is **unhappy or angry**, listen, apologise and log a **complaint** on the
account. If you cannot solve it, **escalate to second line** (record *Escalated*). After
**8 weeks** without a resolution the customer may go to the **ombudsman**: give them the
deadlock letter.
""",
    ),
    Article(
        "brightwave",
        HELP,
        "Email settings for Brightwave mail",
        ("email",),
        """
Brightwave mail works in any mail app with **IMAP**: incoming server imap.brightwave.example
port 993 (SSL), outgoing smtp.brightwave.example port 465. The user name is the full email
address. A forgotten email password is reset in the app.
""",
    ),
)


BULLETIN = BulletinDraft(
    client="northwind",
    title="Refunds over £200 need a team leader",
    body=(
        "From today, **refunds over £200** are approved by a team leader before you process "
        "them: ask in the help channel with the order number. Exchanges and store credit are "
        "not affected."
    ),
    due_at=0.0,
    mandatory=True,
    question="From what amount does a refund need a team leader?",
    campaigns=RETURNS,
)


def draft(a: Article) -> ArticleDraft:
    return ArticleDraft(
        client=a.client,
        title=a.title,
        body=a.body.strip(),
        campaigns=a.campaigns,
        tags=a.tags,
        owner="Team leaders",
    )


def save_knowledge(engine: Engine, *, at: float, due_at: float | None = None) -> None:
    """The articles above, each campaign's call guide, and with ``due_at`` the bulletin,
    saved as the administrator."""
    for a in ARTICLES:
        actions.save_article(engine, Editor(), at=at, draft=draft(a))
    for campaign, made in GUIDES.items():
        guide_actions.save_guide(engine, Editor(), at=at, campaign=campaign, guide=made)
    if due_at is not None:
        bulletin = dataclasses.replace(BULLETIN, due_at=due_at)
        actions.publish_bulletin(engine, Editor(), at=at, draft=bulletin)


def save_searchable_firm(engine: Engine, *, at: float) -> None:
    """The demo firm's client companies and campaigns (no queues, no agents) and the
    knowledge above: what a search over the demo's content needs, and no more."""
    campaigns = tuple(
        CampaignConfig(CampaignId(campaign), ClientId(client), CAMPAIGN_NAMES[campaign])
        for campaign, client in CAMPAIGN_CLIENTS.items()
    )
    with engine.begin() as conn:
        config_repo.save_routing_config(
            conn,
            RoutingConfig(campaigns=campaigns, reasons=DEFAULT_REASONS),
            firm=FIRM,
            client_names=CLIENT_NAMES,
        )
    save_knowledge(engine, at=at)
