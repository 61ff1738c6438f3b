"""The browser pages: sign-in, the agent desktop, the supervisor console, administration.

    app = create_app(center, settings)
    mount(app)          # adds /, /agent, /supervisor, /admin, /sw.js and /static/

The pages are plain HTML, CSS and JavaScript modules that the browser loads as they are
(no front-end build step); they talk to the HTTP API and the ``/api/stream`` WebSocket
like any other client. Which page a user may use is decided by the API they call, not
by these routes: the pages themselves hold no data. See docs/web.md.
"""

from __future__ import annotations

from hearthline.web.pages import PAGES, mount

__all__ = ["PAGES", "mount"]
