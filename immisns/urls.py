from django.contrib import admin
from django.urls import include, path, re_path

from accounts import connect_views
from accounts import views as account_views
from immisns import favicon, moved
from posts import calendar_views, notification_views
from posts import views as post_views
from posts.account_views import account_page

admin.site.site_header = "immisns"
admin.site.site_title = "immisns"

urlpatterns = [
    path("", post_views.dashboard, name="home"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("help/", account_views.help_page, name="help"),
    path("notifications/", notification_views.notifications_page, name="notifications"),
    path("posts/", include("posts.urls")),
    # The calendar: a month or week of posts in JST; moving a post there is an edit of its time.
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/<int:pk>/move/", calendar_views.calendar_move, name="calendar_move"),
    # The replies queue keeps the address (and the URL namespace "moderation") it had as the moderation app.
    path("moderation/", include("replies.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    # The public pages (no login): the operating policy and the official account list.
    path("", include("public.urls")),
    path("sandbox/<int:pk>/", account_views.sandbox_delivery, name="sandbox_delivery"),
    # The admin signs in through the same login as everyone (password, then TOTP).
    path("admin/login/", account_views.admin_login, name="admin_login"),
    # The checks' and the replies' admin pages were under /admin/moderation/ before the app was split.
    re_path(
        r"^admin/moderation/(?P<model>[a-z]+)/(?P<rest>.*)$", moved.moderation_admin, name="moderation_admin_moved"
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # After allauth, so its own pages (login/, logout/, 2fa/ …) win over a handle of the same name.
    path("accounts/<str:handle>/", account_page, name="sns_account"),
    # Connecting an account with the platform's own sign-in; one callback address for X and Facebook.
    path("accounts/<str:handle>/connect/", connect_views.account_connect, name="account_connect"),
    path("accounts/<str:handle>/connect/pin/", connect_views.connect_pin, name="connect_pin"),
    path("accounts/<str:handle>/disconnect/", connect_views.account_disconnect, name="account_disconnect"),
    path("connections/callback/", connect_views.connect_callback, name="connect_callback"),
    path("i18n/", include("django.conf.urls.i18n")),
]
