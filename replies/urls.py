from django.urls import path

from replies import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/hide/", views.reply_hide, name="hide"),
    path("<int:pk>/unhide/", views.reply_unhide, name="unhide"),
    path("<int:pk>/confirm/", views.reply_confirm, name="confirm"),
    path("<int:pk>/delete/", views.reply_delete, name="delete"),
    path("<int:pk>/ban/", views.author_ban, name="ban"),
    path("<int:pk>/block-done/", views.block_done, name="block_done"),
    path("bulk/", views.bulk, name="bulk"),
]
