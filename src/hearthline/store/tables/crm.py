"""What agents fill in and look up: dispositions, forms and their fields, scripts, the
client companies' customers and the contacts linked to them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    false,
)

from hearthline.store.tables.base import ID, metadata

scripts = Table(
    "scripts",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    Column("name", String(ID), primary_key=True),
    Column("body", Text, nullable=False, server_default=""),
)

dispositions = Table(
    "dispositions",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("label", Text, nullable=False, server_default=""),
    Column("counts_as_sale", Boolean, nullable=False, server_default=false()),
    Column("counts_as_save", Boolean, nullable=False, server_default=false()),
    Column("position", Integer, nullable=False, server_default="0"),
)

forms = Table(
    "forms",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
)

form_fields = Table(
    "form_fields",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("forms.campaign_id"), primary_key=True),
    Column("name", String(ID), primary_key=True),
    Column("label", Text, nullable=False, server_default=""),
    Column("kind", String(20), nullable=False, server_default="text"),
    Column("required", Boolean, nullable=False, server_default=false()),
    # JSON list of the allowed values of a 'choice' field.
    Column("choices", Text, nullable=False, server_default="[]"),
    Column("position", Integer, nullable=False, server_default="0"),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("client_id", String(ID), ForeignKey("clients.id"), nullable=False, index=True),
    Column("name", Text, nullable=False, server_default=""),
    # Digits with an optional leading '+': what caller ids are matched on.
    Column("phone", String(64), nullable=False, server_default="", index=True),
    Column("email", Text, nullable=False, server_default=""),
    Column("created_at", Float, nullable=False),
)

customer_contacts = Table(
    "customer_contacts",
    metadata,
    Column("contact_id", String(ID), primary_key=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("linked_at", Float, nullable=False),
)

# A client's order numbers, each its customer's: a caller keys one in a menu to be
# identified (``lookup: order`` in a collect node). Unique within the client.
orders = Table(
    "orders",
    metadata,
    Column("client_id", String(ID), ForeignKey("clients.id"), primary_key=True),
    Column("number", String(64), primary_key=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
)
