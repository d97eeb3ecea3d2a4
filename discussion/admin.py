from django.contrib import admin

from discussion.models import Comment, Mention, Watcher


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["task", "author", "created_at", "edited_at"]
    readonly_fields = ["body_html"]


@admin.register(Watcher)
class WatcherAdmin(admin.ModelAdmin):
    list_display = ["task", "user", "created_at"]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["task", "comment", "user", "created_at"]
