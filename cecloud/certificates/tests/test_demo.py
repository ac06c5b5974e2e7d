import pytest

from cecloud.accounts import demo as accounts_demo
from cecloud.catalog import demo as catalog_demo
from cecloud.certificates import demo
from cecloud.certificates.models import Certificate
from cecloud.registry import demo as registry_demo
from cecloud.registry.factories import region
from cecloud.training import demo as training_demo
from cecloud.training.factories import training_year

pytestmark = pytest.mark.django_db


def test_demo_certificates_load_once_for_a_worker_of_the_demo_unit():
    region("320700")  # reference data (reloaded if a transactional test flushed it)
    training_year(2023)
    registry_demo.load()
    accounts_demo.load()
    training_demo.load()
    catalog_demo.load()
    first = demo.load()
    again = demo.load()
    assert len(first) == 2 and first == again
    certificates = list(Certificate.objects.order_by("year"))
    assert [c.year for c in certificates] == [2021, 2022]
    assert {c.unit_name for c in certificates} == {"连云港市第一人民医院"}
    assert all(c.total_hours >= c.required_hours for c in certificates)
    first_learner = registry_demo.demo_people()[0]["id_number"]
    assert not Certificate.objects.filter(id_number=first_learner).exists()  # the README's learner is untouched
