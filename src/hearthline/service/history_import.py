"""Past calls brought in as history: ``hearthline db import-history``.

The client company, its campaign and one queue per service type are saved through the
configuration actions (with their audit record) if missing; then the calls go through the
one writer as ``RecordCalls`` batches, so the report tables count them as they are written
and a rebuild from the log finds them again. A row that cannot be read is reported with
its line number and never stops the import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthline.kernel.ids import CampaignId, ClientId, QueueId
from hearthline.reports.imported import CallImported, HistoryError, RecordCalls, bank_call
from hearthline.reports.periods import zone
from hearthline.routing.config import CampaignConfig, QueueConfig
from hearthline.service.actions.clients import put_client
from hearthline.service.actions.config import put_campaign, put_queue
from hearthline.service.writer import Writer
from hearthline.store.queries import config as config_q
from hearthline.wfm.importers import BANK_COLUMNS

BATCH = 1000


@dataclass(frozen=True, slots=True)
class _Importer:
    """The audit record's author of an import run from the command line."""

    user_id: int = 0
    username: str = "history-import"


@dataclass
class Imported:
    calls: int = 0
    menu_only: int = 0  # ended in the menu: never offered to an agent, not stored
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)


def import_bank(
    writer: Writer, path: Path | str, *, client: str, campaign: str, time_zone: str
) -> Imported:
    """Imports the Anonymous Bank's call log at ``path`` for ``client``'s ``campaign``,
    its local times read in ``time_zone``."""
    tz = zone(time_zone)
    result = Imported()
    calls = list(_calls(Path(path), tz=tz, client=client, campaign=campaign, result=result))
    result.queues = sorted({c.queue for c in calls})
    _configure(writer, client=client, campaign=campaign, queues=result.queues)
    for i in range(0, len(calls), BATCH):
        writer.execute(RecordCalls(tuple(calls[i : i + BATCH])), timeout=120)
    result.calls = len(calls)
    return result


def _calls(
    path: Path, *, tz: ZoneInfo, client: str, campaign: str, result: Imported
) -> Iterator[CallImported]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in BANK_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise HistoryError(f"{path}: not the bank's call log: no column {missing[0]!r}")
        for row in reader:
            try:
                call = bank_call(row, zone=tz, client=client, campaign=campaign)
            except (HistoryError, KeyError, TypeError) as exc:
                result.bad_rows.append((reader.line_num, str(exc)))
                continue
            if call is None:
                result.menu_only += 1
            else:
                yield call


def _configure(writer: Writer, *, client: str, campaign: str, queues: list[str]) -> None:
    who = _Importer()
    engine = writer.engine
    if not config_q.client_exists(engine, client):
        put_client(engine, who, at=writer.clock.now(), client=client, name=client)
    if not config_q.campaigns(engine, ident=campaign):
        put_campaign(writer, who, CampaignConfig(CampaignId(campaign), ClientId(client)))
    for queue in queues:
        if not config_q.queues(engine, ident=queue):
            put_queue(writer, who, QueueConfig(QueueId(queue), CampaignId(campaign)))
