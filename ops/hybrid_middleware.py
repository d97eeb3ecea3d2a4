"""The base of Taskboard's own middlewares: each runs as the chain around it does,
sync under WSGI and async under ASGI (Django's `sync_capable`/`async_capable`), so a
request never pays a thread hop for it. A subclass picks its path in `__call__` by
`self.is_async`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest


class HybridMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
