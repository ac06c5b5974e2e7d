"""A small world for the oversight tests: 连云港市 with 海州区 and 赣榆区, three units, and one staff
account per role and scope."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cecloud.accounts.factories import BureauFactory, LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.notifications.testing import file_outbox
from cecloud.registry.factories import PersonFactory, UnitFactory, region
from cecloud.training.factories import open_schedule, training_year


@pytest.fixture
def outbox(settings, tmp_path):
    return file_outbox(settings, tmp_path)


@pytest.fixture
def world(db):
    city, haizhou, ganyu = region("320700"), region("320706"), region("320707")
    for year in range(2018, 2024):
        training_year(year)
    open_schedule(city, 2023)
    unit_a = UnitFactory(name="海州区第一医院", region=haizhou)
    unit_b = UnitFactory(name="海州区第二中学", region=haizhou)
    unit_c = UnitFactory(name="赣榆区城市管理局", region=ganyu)
    person_a = PersonFactory(name="张海州", unit=unit_a)
    person_b = PersonFactory(name="李海州", unit=unit_b)
    person_c = PersonFactory(name="王赣榆", unit=unit_c)
    return SimpleNamespace(
        city=city,
        haizhou=haizhou,
        ganyu=ganyu,
        unit_a=unit_a,
        unit_b=unit_b,
        unit_c=unit_c,
        person_a=person_a,
        person_b=person_b,
        person_c=person_c,
        users={
            "learner": LearnerFactory(person=person_a, username=person_a.id_number),
            "hr_a": UnitHRFactory(unit=unit_a),
            "hr_b": UnitHRFactory(unit=unit_b),
            "bureau_city": BureauFactory(region=city),
            "bureau_haizhou": BureauFactory(region=haizhou),
            "bureau_ganyu": BureauFactory(region=ganyu),
            "bureau_nanjing": BureauFactory(region=region("320100")),
            "operator": OperatorFactory(),
        },
    )
