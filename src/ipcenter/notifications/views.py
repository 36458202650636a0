from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ipcenter.accounts.access import get_for_user_or_404, require, signed_in
from ipcenter.accounts.roles import Perm
from ipcenter.notifications.models import Notification
from ipcenter.notifications.services import notification_mark_read, notifications_mark_all_read
from ipcenter.web.pagination import paginate, query_without_page


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.NOTIFICATION_READ)
    items = Notification.objects.filter(recipient=signed_in(request))
    show = request.GET.get("show", "")
    if show == "unread":
        items = items.filter(read_at__isnull=True)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": paginate(request, items),
            "show": show,
            "querystring": query_without_page(request),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = get_for_user_or_404(
        request.user, Perm.NOTIFICATION_READ, Notification.objects.all(), pk=notification_id
    )
    notification_mark_read(user=request.user, notification=notification)  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/_item.html", {"n": notification})
    if notification.url:
        return redirect(notification.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.NOTIFICATION_READ)
    notifications_mark_all_read(user=request.user)  # type: ignore[arg-type]
    return redirect("notifications:inbox")
