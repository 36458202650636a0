from django.urls import URLPattern

app_name = "filings"

urlpatterns: list[URLPattern] = []
