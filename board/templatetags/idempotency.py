"""`{% idempotency_field %}`: a fresh key in each rendered form, so that submitting the
same form twice (a double click, a retried POST) changes the board only once."""

from django import template
from django.utils.html import format_html

from idempotency.keys import IDEMPOTENCY_FORM_FIELD, idempotency_key_new

register = template.Library()


@register.simple_tag
def idempotency_field() -> str:
    return format_html(
        '<input type="hidden" name="{}" value="{}">', IDEMPOTENCY_FORM_FIELD, idempotency_key_new()
    )
