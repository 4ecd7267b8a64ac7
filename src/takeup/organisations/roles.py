"""What each staff role may do. Pure: no Django import, so it can be read and tested alone."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    EDITOR = "editor"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"
    EDIT_CATALOGUE = "edit_catalogue"
    EDIT_CAMPAIGNS = "edit_campaigns"
    IMPORT_DATA = "import_data"
    MANAGE_ORGANISATION = "manage_organisation"


# Editors keep the catalogue, campaigns and content; analysts also load data; admins run the
# organisation.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.EDITOR: frozenset({Permission.VIEW, Permission.EDIT_CATALOGUE, Permission.EDIT_CAMPAIGNS}),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW,
            Permission.EDIT_CATALOGUE,
            Permission.EDIT_CAMPAIGNS,
            Permission.IMPORT_DATA,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


def role_allows(role: str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
