"""``create_app(writer, settings)``: the ASGI application around a started Writer.

Nothing happens at import time. The factory loads the client directory and wires the
services; the lifespan hooks the hub to the writer's committed events and starts the
presence monitor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI

from hearthline import __version__
from hearthline.api import errors, voice
from hearthline.api.acknowledgement import BulletinHold
from hearthline.api.deps import AppContext, Ctx
from hearthline.api.directory import Directory
from hearthline.api.docs import mount_docs
from hearthline.api.hub import Hub
from hearthline.api.limits import BodyLimits
from hearthline.api.logs import redact_access_log
from hearthline.api.presence import Presence
from hearthline.api.reminders import ShiftReminders
from hearthline.api.routes import (
    admin,
    agent,
    announcements,
    auth,
    billing,
    call_page,
    channels,
    customers,
    dialling,
    guides,
    knowledge,
    listening,
    menu_reports,
    pay,
    planning,
    procedures,
    quality,
    recordings,
    report_figures,
    reports,
    schedule_changes,
    schedules,
    stream,
    supervisor,
)
from hearthline.api.schemas import Health
from hearthline.api.security import password_hasher
from hearthline.api.settings import ServerSettings
from hearthline.service.actions.throttle import Rule
from hearthline.service.writer import Writer

ROUTERS = (
    auth.router,
    agent.router,
    supervisor.router,
    announcements.router,
    listening.router,
    admin.router,
    channels.router,
    customers.router,
    planning.router,
    reports.router,
    stream.router,
    billing.router,
    report_figures.router,
    menu_reports.router,
    schedules.router,
    schedule_changes.router,
    pay.router,
    knowledge.router,
    knowledge.desk,
    guides.admin,
    guides.desk,
    procedures.desk,
    quality.router,
    dialling.router,
    recordings.router,
    call_page.router,
)
# Blocking work (database reads, argon2, the center's queries) runs in this many threads.
IO_THREADS = 32


def create_app(writer: Writer, settings: ServerSettings | None = None) -> FastAPI:
    """The API and stream server for ``writer`` (started; the caller stops it)."""
    settings = settings or ServerSettings()
    redact_access_log()
    directory = Directory.load(writer.engine)
    hub = Hub(directory, buffer=settings.replay_buffer, backlog=settings.stream_backlog)
    ctx: AppContext
    presence = Presence(lambda command: ctx.send(command), timeout_s=settings.heartbeat_timeout_s)
    ctx = AppContext(
        writer=writer,
        settings=settings,
        directory=directory,
        hub=hub,
        presence=presence,
        hasher=password_hasher(
            time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
        ),
        throttle=Rule(
            limit=settings.login_failures_per_minute,
            address_limit=settings.login_failures_per_address_per_minute,
            max_lock_s=settings.login_max_lockout_s,
        ),
        hashing=asyncio.Semaphore(settings.argon2_concurrency),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        executor = ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="hearthline-io")
        loop.set_default_executor(executor)
        hub.attach(loop, last_event_id=0)
        unsubscribe = writer.subscribe(hub.receive)
        unsubscribe_holds = writer.subscribe(BulletinHold(ctx, loop).receive)
        # Events up to here are in the core already (snapshots read it); later ones are not.
        hub.last_id = writer.last_event_id
        directory.reload(writer.engine)
        monitor = loop.create_task(presence.run())
        reminding = loop.create_task(ShiftReminders(ctx).run())
        # Voice comes up beside the server, not before it: the pages answer at once.
        stack = loop.create_task(voice.start(ctx)) if settings.voice else None
        try:
            yield
        finally:
            if stack is not None:
                await voice.stop(ctx, stack)
            for task in (monitor, reminding):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            unsubscribe_holds()
            unsubscribe()

    app = FastAPI(
        title="Hearthline",
        version=__version__,
        summary="Contact center API: administration, agents, supervisors, channels, streams.",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # served by api/docs.py, without a CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.app_context = ctx
    app.add_middleware(
        BodyLimits,
        ctx=ctx,
        anonymous_bytes=settings.max_anonymous_body_bytes,
        signed_in_bytes=settings.max_body_bytes,
        timeout_s=settings.body_timeout_s,
    )
    mount_docs(app)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/api/health", response_model=Health, tags=["health"])
    async def health(ctx: Ctx) -> Health:
        """Liveness, without signing in: the log position, the open streams, and the clock
        (pages read it to count times as the server does)."""
        return Health(
            status="ok",
            last_event_id=writer.last_event_id,
            streams=ctx.hub.stream_count,
            now=ctx.now(),
            clock_rate=float(getattr(writer.clock, "rate", 1.0)),
        )

    return app
