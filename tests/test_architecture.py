"""docs/architecture.md stays true: its layers, events and state tables are the code's.

When a test here fails after a deliberate change, update the document (the failure message
prints the text the code implies).
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import autodiscover_modules

from cecloud.core.events import all_events
from cecloud.core.transitions import StateMachine

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def cecloud_apps_bottom_up() -> list[str]:
    return [name.split(".", 1)[1] for name in settings.INSTALLED_APPS if name.startswith("cecloud.")]


def test_installed_apps_the_import_contract_and_the_document_list_the_same_layers():
    bottom_up = cecloud_apps_bottom_up()
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    contract_top_down = config["importlinter:contract:layers"]["layers"].split()
    assert contract_top_down == list(reversed(bottom_up))
    diagram = DOC.split("## Layers", 1)[1].split("Why this order", 1)[0]
    drawn_top_down = [m.group(1) for m in re.finditer(r"^  ([a-z]+)\s{2,}", diagram, flags=re.M)]
    assert drawn_top_down == list(reversed(bottom_up))
    for app in bottom_up:
        assert f"| {app} |" in DOC, f"docs/architecture.md: no row for {app} in 'What each app owns'"


def test_every_event_is_documented():
    autodiscover_modules("events")
    missing = sorted(name for name in all_events() if not name.startswith("test.") and f"`{name}`" not in DOC)
    assert missing == [], f"docs/architecture.md: add these events to the events table: {missing}"


def state_machines() -> list[tuple[type, StateMachine]]:
    found = []
    for model in apps.get_models():
        for value in vars(model).values():
            if isinstance(value, StateMachine):
                found.append((model, value))
    return sorted(found, key=lambda pair: (pair[0]._meta.app_label, pair[0].__name__))


def state_tables_markdown() -> str:
    parts = []
    for model, machine in state_machines():
        parts.append(f"**{model.__name__}** ({machine.name}, `{model._meta.app_label}`)\n")
        parts.append("| from | may move to |\n|---|---|")
        for state in machine.states:
            targets = [t for t in machine.states if machine.can(state.value, t.value)]
            moves = ", ".join(f"{t.label} `{t.value}`" for t in targets) or "— (final)"
            parts.append(f"| {state.label} `{state.value}` | {moves} |")
        parts.append("")
    return "\n".join(parts).strip() + "\n"


def test_every_state_machine_is_in_the_document_as_the_code_declares_it():
    machines = state_machines()
    names = {model.__name__ for model, _ in machines}
    assert {"Order", "Enrollment", "Invoice", "Refund", "Certificate", "Application", "CorrectionRequest"} <= names
    assert "QuizAttempt" in names
    expected = state_tables_markdown()
    start, end = "<!-- state tables: begin -->", "<!-- state tables: end -->"
    assert start in DOC and end in DOC, "docs/architecture.md: state tables markers missing"
    documented = DOC.split(start, 1)[1].split(end, 1)[0].strip() + "\n"
    assert documented == expected, (
        "docs/architecture.md state tables differ from the code; they should read:\n\n" + expected
    )
