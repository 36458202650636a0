from django.urls import path

from ipcenter.audit import views

app_name = "audit"

urlpatterns = [path("", views.audit_index, name="list")]
