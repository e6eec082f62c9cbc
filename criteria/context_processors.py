from .access import role_of
from .models import ProgrammeYear


def navigation(request):
    """The year switcher and the user's role, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {
        "nav_years": list(ProgrammeYear.objects.order_by("-year").values_list("year", flat=True)),
        "nav_role": role.label if role else None,
    }
