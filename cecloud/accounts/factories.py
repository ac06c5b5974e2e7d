from __future__ import annotations

import factory

from cecloud.core.roles import Role
from cecloud.registry.factories import PersonFactory, UnitFactory, region

from .models import User

PASSWORD = "Passw0rd!x"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.OPERATOR

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class LearnerFactory(UserFactory):
    role = Role.LEARNER
    person = factory.SubFactory(PersonFactory)
    username = factory.SelfAttribute("person.id_number")
    display_name = factory.SelfAttribute("person.name")


class UnitHRFactory(UserFactory):
    role = Role.UNIT_HR
    unit = factory.SubFactory(UnitFactory)


class BureauFactory(UserFactory):
    role = Role.BUREAU
    region = factory.LazyFunction(lambda: region("320700"))


class OperatorFactory(UserFactory):
    role = Role.OPERATOR
    is_staff = True
    is_superuser = True


def learner_in(region_code: str):
    """A learner whose unit (and so registry region) is in ``region_code``."""
    person = PersonFactory(unit=UnitFactory(region=region(region_code)))
    return LearnerFactory(person=person)
