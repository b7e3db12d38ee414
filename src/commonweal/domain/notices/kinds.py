"""The Procurement Act 2023 notices Commonweal builds, each as Find a Tender identifies it.

Find a Tender (the Central Digital Platform, Procurement Regulations 2024 reg 5) publishes each notice as an OCDS
release with the Cabinet Office's UK extension. A release says which notice it is on the notice's own document:
`Document.noticeType` ("UK1".."UK17", a free string in the extension), the document's `id` being the notice's
(seen in real data for UK1; see `../shared/reference/ocds-uk-extension/README.md`). Which `documents` array carries
the notice is verified for UK1 (real data) and where the document type is the UK extension's own (its codelist
names the section: UK2, UK9, UK11, UK12); for the others Commonweal follows a third-party mapping note, marked
unverified here, in docs/publishing.md and on every preview.

Every statement below carries its status as read in `pa2023-notices.md`: verified in legislation.gov.uk or
Cabinet Office text, partly verified, or unverified (secondary sources only). Nothing here is a rule of ours except
what says "Commonweal default".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verification(StrEnum):
    VERIFIED = "verified"
    PARTLY = "partly verified"
    UNVERIFIED = "unverified"


class NoticeType(StrEnum):
    """Find a Tender's notice codes (`Document.noticeType`) for the notices Commonweal builds."""

    UK1 = "UK1"
    UK2 = "UK2"
    UK4 = "UK4"
    UK6 = "UK6"
    UK7 = "UK7"
    UK9 = "UK9"
    UK10 = "UK10"
    UK11 = "UK11"
    UK12 = "UK12"

    @property
    def kind(self) -> NoticeKind:
        return KINDS[self]


@dataclass(frozen=True)
class NoticeKind:
    code: str
    name: str
    basis: str  # the Act's section and the Regulations' regulation, as far as read
    deadline: str  # when it is due, in words, with its source
    basis_status: Verification
    code_status: Verification  # whether the UK code itself was seen in an official source
    document_type: str  # the notice document's OCDS documentType
    section: str  # which part of the release carries the notice document
    section_status: Verification
    tag: str  # the release tag (coarser than the notice type; never used to infer it)
    notes: tuple[str, ...] = ()  # what is unverified or our own choice about this notice

    @property
    def unverified(self) -> tuple[str, ...]:
        """Every unverified or partly verified point about this notice, in words, for previews and docs."""
        found = []
        if self.basis_status is not Verification.VERIFIED:
            found.append(f"Statutory basis and deadline: {self.basis_status.value} ({self.basis}; {self.deadline}).")
        if self.code_status is not Verification.VERIFIED:
            found.append(
                f"The notice code {self.code} for a {self.name.lower()} is {self.code_status.value}: "
                "seen only in secondary sources."
            )
        if self.section_status is not Verification.VERIFIED:
            found.append(
                f"Carrying the notice document in {self.section} follows a third-party mapping note, "
                "not Find a Tender's own documentation: unverified."
            )
        return (*found, *self.notes)


_THIRD_PARTY = Verification.UNVERIFIED

KINDS: dict[NoticeType, NoticeKind] = {
    NoticeType.UK1: NoticeKind(
        "UK1",
        "Pipeline notice",
        "Procurement Act 2023 s.93 (text read; section number from law-firm summaries); "
        "Procurement Regulations 2024 reg 15 (number from the draft Regulations)",
        "before the end of the 56 days beginning with the first day of the financial year (s.93(2)): between "
        "1 April and 26 May inclusive (Find a Tender)",
        Verification.PARTLY,
        Verification.VERIFIED,
        "plannedProcurementNotice",
        "planning.documents",
        Verification.VERIFIED,
        "planning",
        (
            "Applies to an authority that considers it will pay more than £100 million under relevant contracts in "
            "the coming financial year (s.93(1)); it lists each public contract over £2 million for which a tender or "
            "transparency notice is expected in the 18 months from 1 April (Find a Tender's wording).",
            "Whether the £100 million, £2 million and £5 million figures include VAT was not read in Cabinet Office "
            "text: unverified.",
            "The day each tender notice is expected is given as tender.communication.futureNoticeDate (the "
            "communication extension's estimated date of the next notice); which field Find a Tender's own pipeline "
            "notices use was not read: unverified.",
        ),
    ),
    NoticeType.UK2: NoticeKind(
        "UK2",
        "Preliminary market engagement notice",
        "Procurement Act 2023 ss.16-17; Procurement Regulations 2024 reg 17",
        "before the tender notice (Find a Tender), if preliminary market engagement is carried out "
        "for an above-threshold contract; otherwise the tender notice gives the reasons",
        Verification.PARTLY,
        Verification.VERIFIED,
        "marketEngagementNotice",
        "planning.documents",
        Verification.VERIFIED,
        "planning",
        (
            "Section 17's text was not read; reg 17(2)(e)-(f) (the engagement's close date and a description of the "
            "process) was.",
        ),
    ),
    NoticeType.UK4: NoticeKind(
        "UK4",
        "Tender notice",
        "Procurement Act 2023 s.21 (not read); Procurement Regulations 2024 regs 18-22 "
        "and 24 (numbers from the draft Regulations)",
        "when the competitive tendering procedure is advertised; "
        "the normal minimum tendering period above threshold is 25 days (secondary source)",
        Verification.UNVERIFIED,
        Verification.UNVERIFIED,
        "tenderNotice",
        "tender.documents",
        _THIRD_PARTY,
        "tender",
    ),
    NoticeType.UK6: NoticeKind(
        "UK6",
        "Contract award notice",
        "Procurement Act 2023 ss.50-51; Procurement Regulations 2024 regs 27-30",
        "before entering into the contract, after the assessment summaries are sent (s.50(3)); it starts the "
        "standstill period of eight working days beginning with the day it is published (s.51(2))",
        Verification.VERIFIED,
        Verification.UNVERIFIED,
        "awardNotice",
        "awards[].documents",
        _THIRD_PARTY,
        "award",
    ),
    NoticeType.UK7: NoticeKind(
        "UK7",
        "Contract details notice",
        "Procurement Act 2023 s.53; Procurement Regulations 2024 regs 32-35 (reg 32 read)",
        "within 30 days of the contract being entered into (120 days for light touch contracts), "
        "per a law-firm summary",
        Verification.PARTLY,
        Verification.UNVERIFIED,
        "contractNotice",
        "awards[].documents",
        _THIRD_PARTY,
        "contract",
        (
            "For a contract over £5 million the notice carries the key performance indicators (s.52); which three "
            "are 'most material' is the council's choice: Commonweal publishes the first three of the contract's "
            "KPI schedule, in its order (Commonweal default), and the rest are listed in the contract itself.",
            "The 30-day and 120-day deadlines come from a secondary source: unverified.",
        ),
    ),
    NoticeType.UK9: NoticeKind(
        "UK9",
        "Contract performance notice",
        "Procurement Act 2023 s.71; Procurement Regulations 2024 reg 39",
        "at least once in every 12 months of the contract for a KPI assessment, and within 30 days of a breach "
        "or failure to improve (secondary sources); in force 1 January 2026 in England",
        Verification.PARTLY,
        Verification.VERIFIED,
        "implementationNotice",
        "contracts[].implementation.documents",
        Verification.VERIFIED,
        "implementation",
        (
            "Each KPI's reg 39(5) rating is published as `measureClassification`; the UK extension lists the ids "
            "met, slightlyBelow, below, significantlyBelow and other, but nowhere we read says they correspond to "
            "Good, Approaching target, Requires improvement, Inadequate and Other: Commonweal's mapping is "
            "unverified.",
            "The last three reg 39(5) ratings' wording is from a secondary source (our copy of reg 39 stops at "
            "Approaching target).",
        ),
    ),
    NoticeType.UK10: NoticeKind(
        "UK10",
        "Contract change notice",
        "Procurement Act 2023 s.75 (read; ss.74, 76, 77 and Sch 8 apply); Procurement Regulations 2024 reg 40",
        "before modifying the contract (s.75(1)); a voluntary standstill "
        "of at least eight working days may follow (s.76, secondary)",
        Verification.PARTLY,
        Verification.UNVERIFIED,
        "contractNotice",
        "contracts[].documents",
        _THIRD_PARTY,
        "contractAmendment",
        (
            "The change is published as a proposed amendment (`contracts[].proposedAmendments`): the notice comes "
            "before the modification is made.",
        ),
    ),
    NoticeType.UK11: NoticeKind(
        "UK11",
        "Contract termination notice",
        "Procurement Act 2023 s.80 (with ss.78-79); Procurement Regulations 2024 reg 41",
        "before the end of the 30 days beginning with the day the contract is "
        "terminated (s.80(1)); termination includes discharge and expiry (s.80)",
        Verification.VERIFIED,
        Verification.UNVERIFIED,
        "contractTerminationNotice",
        "contracts[].implementation.documents",
        Verification.VERIFIED,
        "contractTermination",
        ("The document type contractTerminationNotice is the UK extension's own (section implementation).",),
    ),
    NoticeType.UK12: NoticeKind(
        "UK12",
        "Procurement termination notice",
        "Procurement Act 2023 s.55; Procurement Regulations 2024 reg 37 (both from secondary sources)",
        "when the authority decides not to award the contract after a "
        "tender or transparency notice; no deadline was found",
        Verification.UNVERIFIED,
        Verification.UNVERIFIED,
        "tenderCancellationNotice",
        "tender.documents",
        Verification.VERIFIED,
        "tenderCancellation",
        ("No deadline for this notice was found in the sources read: none is shown as overdue.",),
    ),
}
