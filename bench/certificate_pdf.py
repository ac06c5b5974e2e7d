"""Certificate PDF rendering (issue 6, "Done when"): PDFs per second against a one-line page.

baseline: WeasyPrint rendering a one-line HTML page (``HTML(string=...).write_pdf()``, default
          settings and fonts).
subject:  ``cecloud.certificates.pdf.render_certificate_pdf`` — the A4 certificate as issued
          (frame, statement, hours table, QR code with the signed payload, seal, the embedded
          subset of Noto Serif SC) — for distinct certificates (names, units, grades, hours and
          numbers vary), in memory.

Both run in one child process, interleaved one by one after a warm-up; each rate is 1 / the median
time of one render. The printed ratio is the slow-down factor, baseline rate / certificate rate
(= certificate time / one-line time); target ratio ≤ 3.

No database is used: the certificates are unsaved model instances with frozen data, signed with a
key generated for the run.

Child process: ``python -m bench.certificate_pdf run [--renders N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass

from . import ROOT, Result, benchmark, info, run_child

MAX_RATIO = 3.0
WARM_UP = 5
ONE_LINE = "<html><body><p>cecloud certificate benchmark: one line.</p></body></html>"

NAMES = ["黄诗雨", "王建国", "李秀珍", "张伟", "欧阳晓东", "陈海燕", "刘桂英", "赵敏", "孙丽华", "周晓明"]
UNITS = ["连云港市第一人民医院", "南京市机关事务管理局", "苏州市民生职业培训中心", "海州区城市管理局", "灌云县人民医院"]


@dataclass(frozen=True)
class SlowdownResult(Result):
    """A throughput against a baseline throughput: the ratio is how many times slower (baseline /
    value), so that "ratio ≤ 3" means "at most three times the baseline's time"."""

    @property
    def ratio(self) -> float:
        return self.baseline / self.value if self.value else float("inf")


def _certificates(count: int) -> list:
    import datetime as dt
    from decimal import Decimal

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cecloud.certificates import signing
    from cecloud.certificates.codes import format_number, new_verify_code
    from cecloud.certificates.models import Certificate
    from cecloud.certificates.services import payload_data
    from cecloud.registry.factories import valid_id_number
    from cecloud.registry.models import Grade

    key = Ed25519PrivateKey.generate()
    grades = [Grade.SENIOR_TECHNICIAN, Grade.TECHNICIAN, Grade.SENIOR, Grade.INTERMEDIATE, Grade.JUNIOR]
    certificates = []
    for i in range(count):
        technician = i % 5 < 2
        hours = (Decimal(12), Decimal(12), Decimal(16)) if technician else (Decimal(7), Decimal(7), Decimal(10))
        certificate = Certificate(
            number=format_number(2023, i + 1),
            verify_code=new_verify_code(),
            year=2023,
            issued_on=dt.date(2023, 10, 1) + dt.timedelta(days=i % 25),
            name=NAMES[i % len(NAMES)],
            id_number=valid_id_number("320706", seq=i + 1),
            unit_name=UNITS[i % len(UNITS)],
            region_name="连云港市海州区",
            grade=grades[i % 5],
            ideology_hours=hours[0],
            general_hours=hours[1],
            skill_hours=hours[2],
            total_hours=sum(hours),
            required_hours=sum(hours),
            key_id=signing.key_id_of(key.public_key()),
        )
        certificate.signed_payload = signing.sign_payload(payload_data(certificate), key=key)
        certificates.append(certificate)
    return certificates


def _child(renders: int) -> dict:
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from weasyprint import HTML

    from cecloud.certificates import pdf

    certificates = _certificates(renders + WARM_UP)
    timings: dict[str, list[float]] = {"certificate": [], "baseline": []}
    sizes = []
    for i, certificate in enumerate(certificates):
        start = time.perf_counter()
        data = pdf.render_certificate_pdf(certificate)
        certificate_time = time.perf_counter() - start
        start = time.perf_counter()
        HTML(string=ONE_LINE).write_pdf()
        baseline_time = time.perf_counter() - start
        if i >= WARM_UP:
            timings["certificate"].append(certificate_time)
            timings["baseline"].append(baseline_time)
            sizes.append(len(data))
        if not data.startswith(b"%PDF-"):
            raise SystemExit("the certificate did not render as a PDF")
    return {
        "certificate_per_s": 1 / statistics.median(timings["certificate"]),
        "baseline_per_s": 1 / statistics.median(timings["baseline"]),
        "certificate_ms": statistics.median(timings["certificate"]) * 1000,
        "baseline_ms": statistics.median(timings["baseline"]) * 1000,
        "kb": statistics.median(sizes) / 1024,
        "renders": len(timings["certificate"]),
    }


@benchmark(
    "certificate_pdf", description="Certificate PDF rendering vs WeasyPrint rendering a one-line page (ratio ≤ 3)"
)
def run(options: list[str]):
    parser = argparse.ArgumentParser(prog="bench certificate_pdf")
    parser.add_argument("--renders", type=int, default=60)
    args, _unknown = parser.parse_known_args(options)
    scratch = tempfile.mkdtemp(prefix="cecloud-bench-cert-")
    env = {
        "DATABASE_URL": f"sqlite:///{scratch}/unused.sqlite3",  # never opened: no queries
        "REDIS_URL": "",
    }
    data = run_child("bench.certificate_pdf", ["--renders", str(args.renders)], env)
    info(
        f"certificate_pdf: {data['renders']} distinct certificates, median {data['certificate_ms']:.1f} ms "
        f"({data['kb']:.0f} KB) vs one-line page {data['baseline_ms']:.1f} ms"
    )
    yield SlowdownResult(
        name="certificate_pdf",
        value=data["certificate_per_s"],
        unit="pdf/s",
        baseline=data["baseline_per_s"],
        max_ratio=MAX_RATIO,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--renders", type=int, default=60)
    cli = parser.parse_args()
    print(json.dumps(_child(cli.renders)))
