"""Patent navigation pages: corpus search, documents, IPC browser, imports."""

from django.urls import URLPattern

app_name = "navigation"

urlpatterns: list[URLPattern] = []
