from django.urls import path

from ipcenter.centers import views

app_name = "centers"

urlpatterns = [
    path("", views.center_index, name="list"),
    path("workstations/", views.workstation_index, name="workstations"),
    path("<slug:code>/", views.center_detail, name="detail"),
    path("<slug:code>/settings/", views.center_settings_page, name="settings"),
    path("<slug:code>/fields/new/", views.field_list_new, name="field_list_new"),
]
