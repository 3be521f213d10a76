from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Offices and accounts")

    def ready(self):
        from accounts import access
        from accounts.models import Membership, Office, SocialAccount

        # A person's kept scope (accounts.access.scope_of) is stale once any of these change.
        for model in (Membership, Office, SocialAccount):
            post_save.connect(access.scopes_changed, sender=model, dispatch_uid=f"scope-{model.__name__}")
            post_delete.connect(access.scopes_changed, sender=model, dispatch_uid=f"scope-{model.__name__}-gone")
