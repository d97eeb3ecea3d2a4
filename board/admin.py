from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from board.exceptions import DomainError
from board.models import Board, DisplayKey, Epic, Event, Invitation, Membership, Sprint, Task
from board.services import task_archive


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "last_seq"]
    search_fields = ["name", "slug"]
    readonly_fields = ["last_seq"]
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Board, form, change: bool) -> None:
        # Never write back last_seq: services advance it under the board lock meanwhile.
        if change:
            obj.save(update_fields=[name for name in form.changed_data if name != "last_seq"])
        else:
            obj.save()


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Tasks are read here and archived through the service; other changes go
    through the board so that every one of them is an event."""

    list_display = ["title", "board", "status", "owner", "due_date", "version"]
    list_filter = ["status", "board"]
    search_fields = ["title"]
    actions = ["archive_selected"]
    readonly_fields = [f.name for f in Task._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Archive selected tasks")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        archived = 0
        for task in queryset:
            try:
                task_archive(actor=request.user, task_id=task.pk)
                archived += 1
            except DomainError as error:
                self.message_user(request, f"{task}: {error.message}", messages.WARNING)
        if archived:
            self.message_user(request, f"Archived {archived} task(s).", messages.SUCCESS)


@admin.register(Sprint)
class SprintAdmin(admin.ModelAdmin):
    list_display = ["name", "board", "start_date", "end_date"]
    list_filter = ["board"]


@admin.register(Epic)
class EpicAdmin(admin.ModelAdmin):
    list_display = ["name", "board"]
    list_filter = ["board"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "board", "role"]
    list_filter = ["role", "board"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["board", "seq", "kind", "task", "actor", "created_at"]
    list_filter = ["kind", "board"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(DisplayKey)
class DisplayKeyAdmin(admin.ModelAdmin):
    """Keys are created and revoked on the board's settings page (the plaintext is
    shown once there); here they are only listed."""

    list_display = ["name", "board", "prefix", "created_at", "revoked_at"]
    list_filter = ["board"]
    readonly_fields = [f.name for f in DisplayKey._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made on the members and workspace pages (the link needs the
    server's secret); here they are only listed."""

    list_display = ["organization", "board", "email", "role", "uses", "expires_at", "revoked_at"]
    list_filter = ["organization"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
