"""Years and scopes of the unit HR and bureau portals: what an account may look at (else 404)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.http import Http404

from cecloud.core.roles import Role
from cecloud.registry.models import Person, Region, Unit
from cecloud.training.models import RegionSchedule, TrainingYear

# --- Years ------------------------------------------------------------------------------------------------


def active_years() -> list[TrainingYear]:
    return list(TrainingYear.objects.filter(is_active=True).order_by("-year"))


def active_years_or_404() -> list[TrainingYear]:
    """The open years, newest first; 404 when there is none (the portal pages need one)."""
    years = active_years()
    if not years:
        raise Http404("没有开放的学习年度")
    return years


def pick_year(years: Sequence[TrainingYear], value) -> TrainingYear:
    """The requested year if offered, else the latest; 404 when no year exists at all."""
    if not years:
        raise Http404("没有开放的学习年度")
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        return years[0]
    return next((y for y in years if y.year == wanted), years[0])


# --- Scopes ----------------------------------------------------------------------------------------------


def bureau_region_ids(region: Region) -> list[int]:
    """A city: itself and its counties; a county: itself."""
    if region.level == Region.Level.CITY:
        return [region.pk, *Region.objects.filter(parent=region).values_list("pk", flat=True)]
    return [region.pk]


def bureau_regions(user) -> list[Region]:
    """The regions a bureau may look at one by one (its own first, then its counties)."""
    region = user.region
    if region.level == Region.Level.CITY:
        return [region, *Region.objects.filter(parent=region).order_by("sort_order", "code")]
    return [region]


def bureau_scope_region(user, code: str | None) -> Region:
    """The region a bureau asked for (``?region=code``), which must be in its scope (else 404)."""
    if not code or code == user.region.code:
        return user.region
    found = next((r for r in bureau_regions(user) if r.code == code), None)
    if found is None:
        raise Http404("地区不存在")
    return found


def people_in_scope(user) -> QuerySet[Person]:
    """Everyone (any status) a staff account may see; none for any other role."""
    if user.role == Role.UNIT_HR and user.unit_id:
        return Person.objects.filter(unit_id=user.unit_id)
    if user.role == Role.BUREAU and user.region_id:
        return Person.objects.filter(region_id__in=bureau_region_ids(user.region))
    return Person.objects.none()


def worker_for_viewer(*, user, pk: int) -> Person:
    found = people_in_scope(user).select_related("unit", "region__parent").filter(pk=pk).first()
    if found is None:
        raise Http404("人员不存在")
    return found


def unit_for_bureau(*, user, pk: int) -> Unit:
    found = (
        Unit.objects.select_related("region__parent")
        .filter(pk=pk, region_id__in=bureau_region_ids(user.region))
        .first()
    )
    if found is None:
        raise Http404("单位不存在")
    return found


def schedules_for_bureau(user) -> list[RegionSchedule]:
    """Every schedule that applies in the bureau's regions (a county also sees its city's), newest first."""
    ids = bureau_region_ids(user.region)
    if user.region.level == Region.Level.COUNTY and user.region.parent_id:
        ids.append(user.region.parent_id)
    return list(
        RegionSchedule.objects.filter(region_id__in=ids)
        .select_related("region__parent", "training_year")
        .order_by("-training_year__year", "region__code")
    )
