from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class DemoAwareModelBackend(ModelBackend):
    """Demo accounts (password 'demo') may log in only while demo mode is on; nobody of a
    suspended municipality logs in (ADR 0030)."""

    def user_can_authenticate(self, user) -> bool:  # type: ignore[no-untyped-def]
        if getattr(user, "is_demo", False) and not settings.DEMO_MODE:
            return False
        if user is not None and user.organisation_suspended():
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):  # type: ignore[no-untyped-def]
        """The session's user with its municipality in the same query: the session check on
        every request reads the municipality's suspension (User.get_session_auth_hash)."""
        from .models import User

        user = User._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
