"""The Taskboard HTTP API (mounted at /api/v1/): one NinjaAPI, its auth, limits and errors."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.operation import Operation

from api.auth import BearerTokenAuth, SessionCsrfAuth
from api.endpoints import (
    boards,
    comments,
    invitations,
    notifications,
    planning,
    tasks,
    workspaces,
)
from api.errors import errors_install
from api.ratelimit import WriteRateThrottle

DESCRIPTION = """\
Scripts and integrations work on boards the way members do in the browser, through
the same rules. Authenticate with `Authorization: Bearer <api token>` (create one on
your account page), or from a signed-in browser with the session and its CSRF token.

Every refusal has one shape, `{"error": {"code", "message", "fields"}}`, with the
WebSocket protocol's codes. Every write accepts an `Idempotency-Key`, and writes are
limited per token and minute (429 with `Retry-After`). A walkthrough is in docs/api.md.
"""


class TaskboardAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = TaskboardAPI(
    title="Taskboard API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    # Swagger UI's assets come from ninja's static folder ("ninja" is an installed app);
    # no validator badge, which would call validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
    throttle=[WriteRateThrottle()],
)
errors_install(api)
api.add_router("", boards.router)
api.add_router("", tasks.router)
api.add_router("", planning.router)
api.add_router("", workspaces.router)
api.add_router("", invitations.router)
api.add_router("", comments.router)
api.add_router("", notifications.router)
