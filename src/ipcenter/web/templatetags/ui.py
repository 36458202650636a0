from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bs(field: forms.BoundField) -> SafeString:
    """Render a form field's widget with Bootstrap's classes and its error state."""
    widget = field.field.widget
    if isinstance(widget, forms.Select):
        css = "form-select"
    elif isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def event_label(tag: str) -> str:
    from ipcenter.audit.tags import event_label as label

    return label(tag)


@register.filter
def values(data: object) -> SafeString:
    """Old/new values of an audit event as a short definition list."""
    from django.utils.html import format_html, format_html_join

    if data is None or data == {}:
        return SafeString("")
    if not isinstance(data, dict):
        return format_html("<code class='small'>{}</code>", data)
    rows = format_html_join(
        "",
        "<div><span class='text-muted'>{}</span>: {}</div>",
        (
            (key, ", ".join(map(str, value)) if isinstance(value, list) else value)
            for key, value in data.items()
        ),
    )
    return format_html("<div class='small'>{}</div>", rows)
