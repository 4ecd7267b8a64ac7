import itertools

from takeup.organisations.roles import Permission, Role, role_allows


def test_viewer_can_only_view() -> None:
    assert role_allows("viewer", Permission.VIEW)
    assert not role_allows("viewer", Permission.EDIT_CATALOGUE)
    assert not role_allows("viewer", Permission.MANAGE_ORGANISATION)


def test_each_role_has_what_the_one_below_has() -> None:
    order = [Role.VIEWER, Role.EDITOR, Role.ANALYST, Role.ADMIN]
    for lower, higher in itertools.pairwise(order):
        for permission in Permission:
            if role_allows(lower, permission):
                assert role_allows(higher, permission), (lower, higher, permission)


def test_only_admins_manage_the_organisation() -> None:
    assert [r for r in Role if role_allows(r, Permission.MANAGE_ORGANISATION)] == [Role.ADMIN]


def test_unknown_role_is_allowed_nothing() -> None:
    assert not role_allows("owner", Permission.VIEW)
