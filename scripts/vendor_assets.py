"""Copy the pinned npm front-end assets into cecloud/static/vendor (served locally, no CDN)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "cecloud" / "static" / "vendor"

COPIES = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"),
    ("bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/css/bootstrap.min.css.map"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/js/bootstrap.bundle.min.js.map"),
    ("bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons/font/fonts", "bootstrap-icons/fonts"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    ("hls.js/dist/hls.min.js", "hls.js/hls.min.js"),
    # The API docs page (/api/v1/docs, config/api.py): Swagger UI served locally, like everything else.
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"),
    ("swagger-ui-dist/favicon-32x32.png", "swagger-ui/favicon-32x32.png"),
]


def main() -> None:
    for src, dst in COPIES:
        source, target = NODE / src, DEST / dst
        if not source.exists():
            raise SystemExit(f"missing {source}: run `npm ci` first")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    print(f"vendor assets copied to {DEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
