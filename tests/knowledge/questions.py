"""What agents type into the procedures search during a call, each with the article that
answers it: over the demo firm's articles (``hearthline.demo.knowledge``). Written as
typed in a hurry: lower case, fragments, the caller's words rather than the title's,
misspellings."""

from __future__ import annotations

NW, BW = "northwind", "brightwave"

# (client, what the agent types, the title of the article that answers it)
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    # Standard returns within 30 days
    (NW, "how long do they have to send stuff back", "Standard returns within 30 days"),
    (NW, "customer wants money back for unworn jumper", "Standard returns within 30 days"),
    (NW, "retrun window days", "Standard returns within 30 days"),
    (NW, "tags still on can they return it", "Standard returns within 30 days"),
    # Damaged or faulty item received
    (NW, "jacket arrived ripped", "Damaged or faulty item received"),
    (NW, "item broken on arrival need photo?", "Damaged or faulty item received"),
    (NW, "damgaed product under 20 pounds", "Damaged or faulty item received"),
    (NW, "zip came faulty out of the box", "Damaged or faulty item received"),
    # Wrong size: exchange first
    (NW, "too small want bigger size", "Wrong size: exchange first"),
    (NW, "swap for a different size", "Wrong size: exchange first"),
    (NW, "exchnage size free shipping?", "Wrong size: exchange first"),
    # Prepaid return label
    (NW, "customer needs a returns label", "Prepaid return label"),
    (NW, "do they pay postage to send back", "Prepaid return label"),
    (NW, "lable expired how long valid", "Prepaid return label"),
    # Refund status and timing
    (NW, "when will i get my refund", "Refund status and timing"),
    (NW, "refund not on card statement yet", "Refund status and timing"),
    (NW, "how many days for money to come back paypal", "Refund status and timing"),
    # Returns after the 30-day window
    (NW, "bought 45 days ago wants to return", "Returns after the 30-day window"),
    (NW, "past 30 days goodwill", "Returns after the 30-day window"),
    (NW, "late retrun store credit approval", "Returns after the 30-day window"),
    # Returning a gift
    (NW, "got it as a present wants to return", "Returning a gift"),
    (NW, "gift reciept refund", "Returning a gift"),
    (NW, "return a gift without the buyer knowing", "Returning a gift"),
    # Sale and clearance items
    (NW, "can they return something from the sale", "Sale and clearance items"),
    (NW, "final sale item refund?", "Sale and clearance items"),
    (NW, "clearence return", "Sale and clearance items"),
    # Footwear returns
    (NW, "boots worn outside want refund", "Footwear returns"),
    (NW, "return walking shoes", "Footwear returns"),
    (NW, "muddy soles returned", "Footwear returns"),
    # Return parcel lost in transit
    (NW, "return parcel never arrived at warehouse", "Return parcel lost in transit"),
    (NW, "tracking not moving for 2 weeks on the return", "Return parcel lost in transit"),
    (NW, "proof of postage lost package", "Return parcel lost in transit"),
    # Store credit with a bonus
    (NW, "offer voucher instead of refund bonus", "Store credit with a bonus"),
    (NW, "10% extra store credit", "Store credit with a bonus"),
    (NW, "store credti valid how long", "Store credit with a bonus"),
    # Jacket waterproof guarantee and repairs
    (NW, "jacket leaking at seams after a year", "Jacket waterproof guarantee and repairs"),
    (NW, "coat not waterproof anymore warranty", "Jacket waterproof guarantee and repairs"),
    (NW, "repair zip on jacket", "Jacket waterproof guarantee and repairs"),
    # Loyalty discount for members
    (NW, "member discount code", "Loyalty discount for members"),
    (NW, "regular customer wants 10 percent off", "Loyalty discount for members"),
    (NW, "loyalty club join", "Loyalty discount for members"),
    # Delivery options and costs
    (NW, "next day delivery cost", "Delivery options and costs"),
    (NW, "is shipping free", "Delivery options and costs"),
    (NW, "order by what time for express", "Delivery options and costs"),
    (NW, "click and collect", "Delivery options and costs"),
    # Sizing guide and fit advice
    (NW, "which size should i order between medium and large", "Sizing guide and fit advice"),
    (NW, "size chart chest measurement", "Sizing guide and fit advice"),
    (NW, "does it fit big or small", "Sizing guide and fit advice"),
    # Checking stock and back orders
    (NW, "out of stock when back", "Checking stock and back orders"),
    (NW, "backorder date", "Checking stock and back orders"),
    (NW, "is the blue one in stock in xl", "Checking stock and back orders"),
    # Payment methods and declined cards
    (NW, "card declined", "Payment methods and declined cards"),
    (NW, "can i take card details over the phone", "Payment methods and declined cards"),
    (NW, "klarna pay later", "Payment methods and declined cards"),
    (NW, "paymnet link by text", "Payment methods and declined cards"),
    # Price match promise
    (NW, "cheaper on another website", "Price match promise"),
    (NW, "price match amazon", "Price match promise"),
    (NW, "competitor lower price", "Price match promise"),
    # Gift cards and vouchers
    (NW, "gift card balance", "Gift cards and vouchers"),
    (NW, "giftcard expired", "Gift cards and vouchers"),
    (NW, "lost gift card replacement", "Gift cards and vouchers"),
    # Changing or cancelling an order
    (NW, "cancel my order just placed", "Changing or cancelling an order"),
    (NW, "change address on order already dispatched", "Changing or cancelling an order"),
    (NW, "cancell order", "Changing or cancelling an order"),
    # International shipping and customs
    (NW, "ship to france", "International shipping and customs"),
    (NW, "customs fees who pays", "International shipping and customs"),
    (NW, "deliver to usa?", "International shipping and customs"),
    # Promotion codes that do not work
    (NW, "discount code not working", "Promotion codes that do not work"),
    (NW, "promo code invalid at checkout", "Promotion codes that do not work"),
    (NW, "two coupons on one order", "Promotion codes that do not work"),
    # No internet connection: first checks
    (BW, "no internet at all", "No internet connection: first checks"),
    (BW, "internet not working restart", "No internet connection: first checks"),
    (BW, "conection down line test", "No internet connection: first checks"),
    # Slow broadband speed
    (BW, "internet very slow", "Slow broadband speed"),
    (BW, "speed test below guaranteed", "Slow broadband speed"),
    (BW, "wifi slow in bedroom", "Slow broadband speed"),
    (BW, "slwo speeds every evening", "Slow broadband speed"),
    # Router lights explained
    (BW, "orange light flashing on router", "Router lights explained"),
    (BW, "red internet light", "Router lights explained"),
    (BW, "what do the lights on the hub mean", "Router lights explained"),
    # Booking a technician visit
    (BW, "send an engineer", "Booking a technician visit"),
    (BW, "technican call out fee", "Booking a technician visit"),
    (BW, "book a visit line test failed", "Booking a technician visit"),
    # Billing questions and unexpected charges
    (BW, "bill higher than usual", "Billing questions and unexpected charges"),
    (BW, "charged for calls", "Billing questions and unexpected charges"),
    (BW, "overcharged refund approval", "Billing questions and unexpected charges"),
    (BW, "why did my price go up", "Billing questions and unexpected charges"),
    # Moving home
    (BW, "moving house", "Moving home"),
    (BW, "new address transfer broadband", "Moving home"),
    (BW, "relocating next month", "Moving home"),
    # Cancelling and early termination fees
    (BW, "wants to cancel contract", "Cancelling and early termination fees"),
    (BW, "exit fee leaving early", "Cancelling and early termination fees"),
    (BW, "cooling off period", "Cancelling and early termination fees"),
    (BW, "leave brightwave how much", "Cancelling and early termination fees"),
    # Wi-Fi name and password
    (BW, "forgot wifi password", "Wi-Fi name and password"),
    (BW, "change network name", "Wi-Fi name and password"),
    (BW, "wi-fi key where", "Wi-Fi name and password"),
    # Service outage in the area
    (BW, "outage in my area", "Service outage in the area"),
    (BW, "compensation for no service 3 days", "Service outage in the area"),
    (BW, "whole street is down", "Service outage in the area"),
    # Identity verification before account changes
    (
        BW,
        "security questions before changing account",
        "Identity verification before account changes",
    ),
    (BW, "wife calling about husbands account", "Identity verification before account changes"),
    (BW, "verify caller pin", "Identity verification before account changes"),
    # Bereavement: the account holder has died
    (BW, "customer passed away", "Bereavement: the account holder has died"),
    (BW, "account holder died close account", "Bereavement: the account holder has died"),
    (BW, "death certificate", "Bereavement: the account holder has died"),
    # Upgrading to full fibre
    (BW, "upgrade to fibre", "Upgrading to full fibre"),
    (BW, "faster package available", "Upgrading to full fibre"),
    (BW, "full fiber availability postcode", "Upgrading to full fibre"),
    # Complaints and escalation
    (BW, "customer very angry wants manager", "Complaints and escalation"),
    (BW, "make a complaint", "Complaints and escalation"),
    (BW, "ombudsman", "Complaints and escalation"),
    # Email settings for Brightwave mail
    (BW, "email not working on iphone", "Email settings for Brightwave mail"),
    (BW, "imap settings", "Email settings for Brightwave mail"),
    (BW, "outgoing mail server port", "Email settings for Brightwave mail"),
)
