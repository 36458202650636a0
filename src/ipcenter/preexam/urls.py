"""Pre-examination pages: intake and review (views.py), fast track and statistics
(views_tracking.py), IPC suggestion, prior art and citations (views_priorart.py)."""

from ipcenter.preexam import urls_priorart, urls_review, urls_tracking

app_name = "preexam"

urlpatterns = urls_review.urlpatterns + urls_tracking.urlpatterns + urls_priorart.urlpatterns
