from .access import Scope, role_of
from .figures import programme_years
from .notifications import unread_count
from .queue import waiting_count


def navigation(request):
    """The year switcher, the user's role and how much waits in their queue, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {
        "nav_years": [year.year for year in reversed(programme_years())],
        "nav_role": role.label if role else None,
        "nav_unread": unread_count(user),
        # A callable: the COUNT runs only on the pages that show it (the admin's do not).
        "nav_waiting": (lambda: waiting_count(Scope(user, role))) if role else None,
    }
