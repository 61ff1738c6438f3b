"""An editor to save articles as, and a second client company beside the sample's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from hearthline.kernel.ids import CampaignId, ClientId
from hearthline.routing.config import CampaignConfig
from hearthline.store import config_repo


@dataclass(frozen=True)
class Editor:
    user_id: int = 0
    username: str = "editor"


EDITOR = Editor()


def add_globex(engine: Engine) -> None:
    """A second client, globex, with a sales campaign, beside the sample's acme."""
    with engine.begin() as conn:
        config_repo.save_client(conn, "globex", firm="hearth", name="Globex")
        config_repo.save_campaign(
            conn, CampaignConfig(CampaignId("globex-sales"), ClientId("globex"), name="Sales")
        )
