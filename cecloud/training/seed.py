"""Seed table (requirements S2, the 2023 round), used for every year 2018–2023."""

from decimal import Decimal

SEED_YEARS = range(2018, 2024)
SEED_REQUIREMENTS = {
    # grade group: (思政, 通识, 岗位提升, price)
    "technician": (Decimal("12"), Decimal("12"), Decimal("16"), Decimal("120.00")),
    "skilled": (Decimal("7"), Decimal("7"), Decimal("10"), Decimal("80.00")),
}


def load_years(TrainingYear, YearRequirement) -> None:
    for year in SEED_YEARS:
        ty, _ = TrainingYear.objects.get_or_create(year=year)
        for group, (ideology, general, skill, price) in SEED_REQUIREMENTS.items():
            YearRequirement.objects.get_or_create(
                training_year=ty,
                grade_group=group,
                defaults={"ideology_hours": ideology, "general_hours": general, "skill_hours": skill, "price": price},
            )
