"""factory_boy factories for the registry (used by every app's tests)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from cecloud.core.ids import id_check_char

from .models import Grade, Person, PersonStatus, Region, Unit

_seq = itertools.count(1)


def valid_id_number(region_code: str = "320706", birth: dt.date | None = None, seq: int | None = None) -> str:
    n = next(_seq) if seq is None else seq
    birth = birth or dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
    first17 = f"{region_code}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def region(code: str = "320706") -> Region:
    """The region with this code; reloads the reference data if a transactional test flushed it."""
    found = Region.objects.filter(code=code).first()
    if found is None:
        from .regions_data import load_regions

        load_regions(Region)
        found = Region.objects.get(code=code)
    return found


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    region = factory.LazyFunction(lambda: region("320706"))
    kind = Unit.Kind.INSTITUTION


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"学员{n}")
    id_number = factory.LazyAttribute(
        lambda o: valid_id_number(o.unit.region.code if o.unit.region.level == "county" else "320706")
    )
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    unit = factory.SubFactory(UnitFactory)
    region = factory.SelfAttribute("unit.region")
    grade = Grade.SENIOR_TECHNICIAN
    post = "驾驶员"
    status = PersonStatus.ACTIVE
