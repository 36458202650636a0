"""`{% form_token %}`: the one-time token of a create form (see ipcenter.idempotency)."""

from __future__ import annotations

from django import template
from django.utils.crypto import get_random_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ipcenter.idempotency.decorators import FORM_FIELD

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    # 64 letters and digits, shaped like a CSRF token (pages compared in tests mask those).
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FORM_FIELD, get_random_string(64)
    )
