from allauth.account.adapter import DefaultAccountAdapter


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Administrators create people in the admin; nobody signs up."""

    def is_open_for_signup(self, request) -> bool:
        return False
