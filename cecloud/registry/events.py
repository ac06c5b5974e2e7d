"""Registry events (see ``cecloud.core.events``)."""

from cecloud.core.events import Event

import_job_queued = Event(
    "registry.import_job_queued",
    fields=("job_id",),
    doc="A registry import (or 仅校验) job was stored (published after commit): run it in the registry.run_import_job task.",
)
