from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("ops.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("board.urls")),
]

handler400 = "board.views.errors.bad_request"
