"""Which error statuses each kind of operation documents (all share ErrorOut)."""

from __future__ import annotations

from typing import Any

from api.schemas import ErrorOut

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
