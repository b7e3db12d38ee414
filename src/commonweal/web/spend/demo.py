"""The demo's spend: a year of invented payments for each demo council, uploaded by its commissioner and queued
for the worker. Northfield's file imports as it is; Southdale's second file names two amount-like columns, so its
import stops on the mapping screen until someone says which one is the amount paid. Every supplier is invented
(no real data is copied into the repository), and so are their postcodes: in the areas `NF` (Northfield) and `SD`
(Southdale), which no real postcode area uses, or none at all; each council's local areas are its own letters, so
its local share shows local, not local and unknown spend."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal

from django.contrib.auth.models import User

from commonweal.web.models import Organisation
from commonweal.web.spend import data
from commonweal.web.spend.models import SpendImport

SUPPLIERS = (
    ("Northfield Home Care Ltd", "Adult Social Care"), ("Kestrel IT Solutions Ltd", "Digital"),
    ("Kestrel I.T. Solutions Limited", "Digital"),  # one supplier under two names: the review page lists them
    ("Riverside Community Trust", "Adult Social Care"), ("Brightday Day Services CIC", "Adult Social Care"),
    ("Acme Facilities Management plc", "Facilities"), ("Total Cleaning Services Ltd", "Facilities"),
    ("Greenway Grounds Ltd", "Environment"), ("Hill & Dale Highways Ltd", "Highways"),
    ("Meadow Youth Project", "Children's Services"),
    ("Oak Tree Foster Care Ltd", "Children's Services"), ("Parkside Taxis", "Children's Services"),
    ("Southdale Citizens Advice", "Communities"), ("Westfield Academy Trust", "Education"),
    ("REDACTED - personal data", "Adult Social Care"),
)
# Invented postcodes (no real postcode area is NF or SD); a supplier missing here states none.
POSTCODES = {"Northfield Home Care Ltd": "NF1 2AB", "Riverside Community Trust": "NF3 4CD",
             "Brightday Day Services CIC": "NF2 7EF", "Meadow Youth Project": "NF4 1GH",
             "Greenway Grounds Ltd": "SD1 5JK", "Southdale Citizens Advice": "SD2 3LM",
             "Oak Tree Foster Care Ltd": "SD4 8NP", "Hill & Dale Highways Ltd": "NF5 6QR"}
LOCAL_AREAS = {"northfield": ["NF"], "southdale": ["SD"]}
# Rows per file (Commonweal's demo; small, so seeding stays quick).
DEMO_ROWS = 400


def spend_csv(seed: int, two_amounts: bool = False) -> bytes:
    """A year (April to March) of invented payments, in a published file's usual layout; with `two_amounts`, an
    `Amount Approved` beside the `Amount Paid` (which one is the payment is not guessed)."""
    rng = random.Random(seed)  # noqa: S311 (invented demo data, not security)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    amounts = ["Amount Approved", "Amount Paid"] if two_amounts else ["Net Amount"]
    writer.writerow(["Payment Date", "Transaction Number", *amounts, "Supplier Name", "Service Area",
                     "Supplier Postcode"])
    for number in range(DEMO_ROWS):
        supplier, service = SUPPLIERS[min(int(rng.paretovariate(1.2)) - 1, len(SUPPLIERS) - 1)]
        paid = dt.date(2025, 4, 1) + dt.timedelta(days=rng.randrange(365))
        amount = (Decimal(rng.randrange(50_000, 5_000_000)) / 100).quantize(Decimal("0.01"))
        if rng.random() < 0.03:
            amount = -amount  # a credit note
        cells = [f"{amount + Decimal(rng.randrange(0, 2000)) / 100:.2f}", f"{amount:.2f}"] if two_amounts else \
            [f"{amount:,.2f}"]
        writer.writerow([paid.strftime("%d/%m/%Y"), f"{seed}{number:06d}", *cells, supplier, service,
                         POSTCODES.get(supplier, "")])
    return out.getvalue().encode("utf-8")


def seed(northfield: Organisation, southdale: Organisation) -> list[SpendImport]:
    """Set the demo councils' local areas and queue their spend files (the worker imports them: `commonweal web
    demo` starts it)."""
    jobs = []
    for organisation, user, files in (
        (northfield, "shared.commissioner", [("northfield_spend_2025-26.csv", spend_csv(1))]),
        (southdale, "southdale.commissioner", [("southdale_spend_2025-26.csv", spend_csv(2)),
                                               ("southdale_spend_2025-26_approvals.csv", spend_csv(3, True))]),
    ):
        person = User.objects.get(username=user)
        data.set_local_areas(person, organisation.slug, LOCAL_AREAS[organisation.slug])
        jobs += [data.upload(person, organisation.slug, name, content) for name, content in files]
    return jobs
