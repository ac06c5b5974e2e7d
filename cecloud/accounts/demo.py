"""Demo staff accounts, one per role (learners log in with their ID number)."""

from __future__ import annotations

from cecloud.core.roles import Role
from cecloud.registry.models import Person, Region, Unit

from .models import User

STAFF_PASSWORD = "Demo@2023"

STAFF = [
    # username, display name, role, unit name, region code
    ("unithr", "连云港市第一人民医院人事科", Role.UNIT_HR, "连云港市第一人民医院", None),
    ("unithr_nj", "南京市机关事务管理局人事处", Role.UNIT_HR, "南京市机关事务管理局", None),
    ("bureau_lyg", "连云港市人社局", Role.BUREAU, None, "320700"),
    ("bureau_haizhou", "海州区人社局", Role.BUREAU, None, "320706"),
    ("bureau_nj", "南京市人社局", Role.BUREAU, None, "320100"),
    ("operator", "平台运营", Role.OPERATOR, None, None),
]


def load(stdout=None) -> list[tuple[str, str, str]]:
    accounts = []
    for username, name, role, unit_name, region_code in STAFF:
        defaults = {
            "display_name": name,
            "role": role,
            "unit": Unit.objects.get(name=unit_name) if unit_name else None,
            "region": Region.objects.get(code=region_code) if region_code else None,
            "is_staff": role == Role.OPERATOR,
            "is_superuser": role == Role.OPERATOR,
        }
        user, created = User.objects.get_or_create(username=username, defaults=defaults)
        if created:
            user.set_password(STAFF_PASSWORD)
            user.save(update_fields=["password"])
        accounts.append((role.label, username, STAFF_PASSWORD))
    return accounts


def account_lines(accounts: list[tuple[str, str, str]]) -> list[str]:
    """The lines ``load_demo`` prints: three learners with their default password, then the staff."""
    lines = [
        f"学员  {person.name}  身份证号 {person.id_number}  默认密码 {person.id_number[-6:]}"
        f"（{person.get_grade_display()}，{person.unit.name}）"
        for person in demo_learners(3)
    ]
    lines += [f"{role}  帐号 {username}  密码 {password}" for role, username, password in accounts]
    return lines


def demo_learners(limit: int = 3) -> list[Person]:
    return list(Person.objects.filter(status="active").order_by("id")[:limit])
