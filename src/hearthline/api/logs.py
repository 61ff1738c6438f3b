"""What the server writes to its logs: never a credential.

A program may open the stream with ``?token=...`` (browsers cannot set headers on a
WebSocket); uvicorn's access log (and its line for each WebSocket it accepts) would write
that secret in clear. The filter rewrites it before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

_SECRET_IN_QUERY = re.compile(r"((?:^|[?&])(?:token|access_token)=)[^&\s]*")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn logs paths as arguments: (client, method, path, version, status) for a
        # request, (client, path) for a WebSocket.
        if isinstance(record.args, tuple) and any(
            isinstance(a, str) and "token=" in a for a in record.args
        ):
            record.args = tuple(
                _SECRET_IN_QUERY.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


_REDACT = RedactSecrets()


def redact_access_log() -> None:
    """Installs the filter on uvicorn's loggers (once, however many apps start)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)
