"""Generate a Contracts Finder-shaped OCDS 1.1 JSON Lines file (one release per line) of a chosen size.

The shape follows the real Contracts Finder releases in ../shared/data/ocds/uk-contracts-finder-2017 (buyer in
`parties`, long `\\r\\n` descriptions, integer item ids, CPV classifications, milestones, `xClassifications`,
many nulls), with the later stages Contracts Finder publishes: a tender amendment, an award and a contract.
Each ocid gets 1 to 4 releases, so the compile really merges. Deterministic for a given seed.

Usage: python benchmarks/ocds_generate.py OUT.jsonl [--mb 150] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

BUYERS = [
    ("Bath and North East Somerset Council", "Bath", " BA1 1JG"),
    ("Darlington Borough Council", "Darlington", " DL1 5QT"),
    ("Devon County Council", "Exeter", " EX2 4QD"),
    ("Met Office", " Exeter", " EX1 3PB"),
]
CPV = [
    ("73000000", "Research and development services and related consultancy services"),
    ("85311000", "Social work services with accommodation"),
    ("90910000", "Cleaning services"),
    ("45000000", "Construction work"),
    ("79410000", "Business and management consultancy services"),
]
WORDS = [
    "the",
    "council",
    "seeks",
    "a",
    "provider",
    "to",
    "deliver",
    "community",
    "support",
    "services",
    "across",
    "the",
    "district",
    "including",
    "outreach",
    "advice",
    "training",
    "and",
    "social",
    "value",
    "commitments",
    "for",
    "local",
    "people",
    "and",
    "small",
    "businesses",
]


def _text(rng: random.Random, words: int) -> str:
    lines = [" ".join(rng.choices(WORDS, k=rng.randint(8, 20))).capitalize() + "." for _ in range(words // 14)]
    return " " + "\r\n".join(lines)


def _party(rng: random.Random, name: str, town: str, postcode: str, *, role: str, pid: str) -> dict:
    return {
        "identifier": {"scheme": "", "id": "", "legalName": None, "uri": None},
        "name": name,
        "address": {
            "streetAddress": f"{rng.randint(1, 200)} High Street  {town}",
            "locality": town,
            "region": None,
            "postalCode": postcode,
            "countryName": " United Kingdom",
        },
        "contactPoint": {
            "name": "Procurement Team",
            "email": "procurement@example.gov.uk",
            "telephone": "",
            "faxNumber": None,
        },
        "roles": [role],
        "id": pid,
    }


def releases_for(rng: random.Random, n: int) -> list[dict]:
    ocid = f"ocds-b5fd17-{n:08x}-adc8-11e6-9901-0019b9f3037b"
    name, town, postcode = rng.choice(BUYERS)
    buyer_id = hashlib.md5(name.encode()).hexdigest()
    cpv = rng.choice(CPV)
    amount = rng.randint(10, 5000) * 100
    year = rng.randint(2015, 2023)
    tender = {
        "id": f"{ocid}-tender",
        "title": " " + " ".join(rng.choices(WORDS, k=8)).title() + " ",
        "description": _text(rng, rng.randint(60, 400)),
        "status": "active",
        "items": [
            {
                "id": i + 1,
                "description": "See description of related tender.",
                "classification": {
                    "scheme": "CPV",
                    "id": cpv[0],
                    "description": cpv[1],
                    "uri": f"http://cpv.data.ac.uk/code-{cpv[0]}.html",
                },
            }
            for i in range(rng.randint(1, 3))
        ],
        "minValue": {"amount": amount // 10, "currency": "GBP"},
        "value": {"amount": amount, "currency": "GBP"},
        "procurementMethod": rng.choice([None, "open", "selective"]),
        "procurementMethodRationale": None,
        "awardCriteria": None,
        "awardCriteriaDetails": None,
        "submissionMethod": None,
        "submissionMethodDetails": "Please apply directly to the buyer using the contact details provided.",
        "tenderPeriod": {
            "startDate": f"{year}-01-{rng.randint(10, 28)}T00:00:00Z",
            "endDate": f"{year}-02-27T00:00:00Z",
        },
        "hasEnquiries": None,
        "eligibilityCriteria": None,
        "milestones": [
            {
                "id": 1,
                "title": "Contract start",
                "description": "Anticipated contract start date",
                "dueDate": f"{year}-04-01T00:00:00Z",
                "status": None,
            },
            {
                "id": 2,
                "title": "Contract end",
                "description": "Anticipated contract end date",
                "dueDate": f"{year + 2}-03-31T00:00:00Z",
                "status": None,
            },
        ],
        "documents": [
            {
                "id": "notice",
                "documentType": "tenderNotice",
                "url": f"https://www.contractsfinder.service.gov.uk/Notice/{n}",
                "format": "text/html",
            }
        ],
        "xClassifications": {
            "isSuitableForVco": rng.random() < 0.3,
            "isSuitableForSme": rng.random() < 0.6,
            "ojeuContractType": "Services",
        },
    }
    base = {
        "ocid": ocid,
        "language": "en-GB",
        "initiationType": "tender",
        "parties": [_party(rng, name, town, postcode, role="buyer", pid=buyer_id)],
        "buyer": {"id": buyer_id, "name": name},
    }
    out = [{**base, "id": f"{ocid}-1", "date": f"{year}-01-05T10:00:00Z", "tag": ["tender"], "tender": tender}]
    if rng.random() < 0.3:
        amended = json.loads(json.dumps(tender))
        amended["description"] = _text(rng, rng.randint(60, 300))
        amended["value"]["amount"] = amount + 1000
        amended["documents"].append(
            {
                "id": "clarification",
                "documentType": "clarifications",
                "url": f"https://www.contractsfinder.service.gov.uk/Notice/{n}/c",
                "format": None,
            }
        )
        amended["amendments"] = [
            {
                "id": "1",
                "date": f"{year}-01-20T10:00:00Z",
                "rationale": "Deadline clarified",
                "changes": [{"property": "value", "former_value": amount}],
            }
        ]
        out.append(
            {
                **base,
                "id": f"{ocid}-2",
                "date": f"{year}-01-20T10:00:00Z",
                "tag": ["tenderAmendment"],
                "tender": amended,
            }
        )
    if rng.random() < 0.6:
        supplier_id = f"GB-COH-{rng.randint(1000000, 9999999):08d}"
        supplier = _party(rng, f"Supplier {n} Ltd", "Leeds", " LS1 1AA", role="supplier", pid=supplier_id)
        supplier["details"] = {"scale": rng.choice(["sme", "large"]), "vcse": rng.random() < 0.2}
        award_value = {"amount": amount - rng.randint(0, amount // 200) * 100, "currency": "GBP"}
        award = {
            "id": f"{ocid}-award-1",
            "title": tender["title"],
            "status": "active",
            "date": f"{year}-03-15T00:00:00Z",
            "value": award_value,
            "suppliers": [{"id": supplier_id, "name": supplier["name"]}],
            "contractPeriod": {"startDate": f"{year}-04-01T00:00:00Z", "endDate": f"{year + 2}-03-31T00:00:00Z"},
        }
        stage = {
            **base,
            "parties": [*base["parties"], supplier],
            "id": f"{ocid}-3",
            "date": f"{year}-03-15T10:00:00Z",
            "tag": ["award"],
            "tender": {"id": tender["id"], "status": "complete"},
            "awards": [award],
        }
        out.append(stage)
        if rng.random() < 0.5:
            out.append(
                {
                    **stage,
                    "id": f"{ocid}-4",
                    "date": f"{year}-03-30T10:00:00Z",
                    "tag": ["contract"],
                    "awards": [{"id": award["id"], "status": "active"}],
                    "contracts": [
                        {
                            "id": f"{ocid}-contract-1",
                            "awardID": award["id"],
                            "status": "active",
                            "value": award_value,
                            "period": award["contractPeriod"],
                            "dateSigned": f"{year}-03-30T00:00:00Z",
                        }
                    ],
                }
            )
    return out


def generate(path: Path, megabytes: float, seed: int = 1) -> int:
    """Write releases to `path` until it holds about `megabytes` MB; return the number of releases."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    written = count = n = 0
    lines: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            group = releases_for(rng, n)
            n += 1
            # Interleave ocids (feeds are in date order, not grouped) by shuffling small batches.
            lines.extend(json.dumps(release, ensure_ascii=False) for release in group)
            if len(lines) > 200 or written + sum(map(len, lines)) >= target:
                rng.shuffle(lines)
                for line in lines:
                    out.write(line + "\n")
                    written += len(line.encode()) + 1
                    count += 1
                lines = []
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=150)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count = generate(args.out, args.mb, args.seed)
    print(f"wrote {count} releases, {args.out.stat().st_size / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
