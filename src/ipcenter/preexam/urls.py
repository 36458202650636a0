"""Pre-examination pages: intake and review (views.py), fast track and statistics
(views_tracking.py)."""

from ipcenter.preexam import urls_review, urls_tracking

app_name = "preexam"

urlpatterns = urls_review.urlpatterns + urls_tracking.urlpatterns
