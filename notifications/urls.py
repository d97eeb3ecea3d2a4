from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("settings/", views.notification_settings, name="notification_settings"),
    path("<int:notification_id>/", views.notification_open, name="notification_open"),
    path("<int:notification_id>/read/", views.notification_read, name="notification_read"),
]
