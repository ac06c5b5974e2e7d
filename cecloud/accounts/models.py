"""Login identities and roles (requirements S0/S1).

A learner's account is created on first login from the registry entry (so importing 300,000
people does not hash 300,000 passwords); its login name is the ID number. Staff accounts (unit
HR, bureau, operator) carry their scope: a unit or a region.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from cecloud.core.roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra):
        user = self.model(username=username, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra):
        extra.setdefault("role", Role.OPERATOR)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("display_name", username)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField("登录帐号", max_length=64, unique=True)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.LEARNER)
    person = models.OneToOneField(
        "registry.Person", verbose_name="人员", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name="管理单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hr_users",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="管理地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bureau_users",
    )
    phone = models.CharField("手机号", max_length=11, blank=True)
    is_active = models.BooleanField("有效", default=True)
    is_staff = models.BooleanField("可登录后台", default=False)
    must_change_password = models.BooleanField("须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Bumped when an operator resets the account's two-factor devices: sessions verified before no longer count.
    two_factor_epoch = models.PositiveIntegerField("二次验证重置次数", default=0, editable=False)
    date_joined = models.DateTimeField("创建时间", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "帐号"
        verbose_name_plural = "帐号"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="unit_hr") | models.Q(unit__isnull=False), name="unit_hr_has_unit"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="bureau") | models.Q(region__isnull=False), name="bureau_has_region"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @classmethod
    def for_learner(cls, person, **fields) -> User:
        """A new (unsaved) learner account for a registry person: the ID number is the login name."""
        return cls(
            username=person.id_number,
            display_name=person.name,
            role=Role.LEARNER,
            person=person,
            phone=person.phone,
            **fields,
        )

    def get_full_name(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        return self.get_full_name()

    @property
    def is_learner(self) -> bool:
        return self.role == Role.LEARNER

    @property
    def is_unit_hr(self) -> bool:
        return self.role == Role.UNIT_HR

    @property
    def is_bureau(self) -> bool:
        return self.role == Role.BUREAU

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR


class PasswordHistory(models.Model):
    """A staff account's earlier password hashes (never the password): a new password may not repeat one."""

    user = models.ForeignKey(User, verbose_name="帐号", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
