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
    EDIT_SURVEYS = "edit_surveys"
    IMPORT_DATA = "import_data"
    MANAGE_ORGANISATION = "manage_organisation"


# Editors keep the catalogue, campaigns and content; analysts also load data; admins run the
# organisation.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.EDITOR: frozenset(
        {
            Permission.VIEW,
            Permission.EDIT_CATALOGUE,
            Permission.EDIT_CAMPAIGNS,
            Permission.EDIT_SURVEYS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW,
            Permission.EDIT_CATALOGUE,
            Permission.EDIT_CAMPAIGNS,
            Permission.EDIT_SURVEYS,
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


def roles_allowing(permission: Permission) -> list[Role]:
    """The roles that may do this, from the least to the most powerful."""
    order = (Role.VIEWER, Role.EDITOR, Role.ANALYST, Role.ADMIN)
    return [role for role in order if permission in ROLE_PERMISSIONS[role]]
