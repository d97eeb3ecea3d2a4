"""The operations endpoints, also in the URL map so that `reverse()` knows them;
ops.middleware.OpsEndpointsMiddleware answers them before the rest of the stack."""

from django.urls import path

from ops.metrics import metrics_view
from ops.middleware import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
]
