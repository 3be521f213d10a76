from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("Posts")

    def ready(self):
        from moderation import checks
        from posts import selectors

        checks.register_duplicate_test(selectors.is_recent_duplicate)
