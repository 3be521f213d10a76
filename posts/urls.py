from django.urls import path
from django.views.generic import RedirectView

from posts import views

app_name = "posts"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("new/", views.post_new, name="new"),
    path("preview/", views.post_preview, name="preview"),
    path("queue/", views.approval_queue, name="queue"),
    path("queue/approve/", views.approve_many, name="approve_many"),
    path("<int:pk>/", views.post_detail, name="detail"),
    path("<int:pk>/edit/", views.post_edit, name="edit"),
    path("<int:pk>/submit/", views.post_submit, name="submit"),
    path("<int:pk>/cancel/", views.post_cancel, name="cancel"),
    path("<int:pk>/note/", views.post_note, name="note"),
    path("<int:pk>/approve/", views.post_approve, name="approve"),
    path("<int:pk>/reject/", views.post_reject, name="reject"),
    path("images/<int:pk>/", views.post_image, name="image"),
    path("targets/<int:pk>/retry/", views.target_retry, name="target_retry"),
    path("targets/<int:pk>/resolve/", views.target_resolve, name="target_resolve"),
    path("targets/<int:pk>/withdraw/", views.target_withdraw, name="target_withdraw"),
    path("publishing/switch/", views.publishing_switch, name="publishing_switch"),
    # Sandbox deliveries moved to /sandbox/<pk>/; links recorded before still work.
    path("sandbox/<int:pk>/", RedirectView.as_view(pattern_name="sandbox_delivery", permanent=True)),
]
