"""Demo staff accounts, one per role (learners log in with their ID number)."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from cecloud.core.roles import Role
from cecloud.registry.models import Person, Region, Unit

from .models import User

STAFF_PASSWORD = "Demo@2023"
# Outside production the demo staff share this authenticator key (printed by load_demo, documented in
# README), so that `make run` can be tried without enrolling a phone; `manage.py demo_otp` prints the
# current code. In production demo staff get no device: they enrol on their first login like anyone.
DEMO_TOTP_KEY = "cecc10dde3002fa0cecc10dde3002fa0cecc10dd"  # hex, 20 bytes

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
        if settings.CECLOUD_ENV != "production" and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="演示验证器", key=DEMO_TOTP_KEY, confirmed=True)
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
    if settings.CECLOUD_ENV != "production":
        lines.append(
            f"工作人员从“工作人员登录”（/accounts/staff/login/）登录，二次验证的演示密钥 {demo_manual_key()}"
            "（添加到身份验证器，或运行 manage.py demo_otp 显示当前动态码）"
        )
    return lines


def demo_manual_key() -> str:
    from base64 import b32encode

    key = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def demo_learners(limit: int = 3) -> list[Person]:
    return list(Person.objects.filter(status="active").order_by("id")[:limit])
