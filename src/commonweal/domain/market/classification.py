"""Who a supplier is: SME, large company, VCSE, public body, individual (or redacted), or unknown.

Every label carries its source and a confidence, and evidence is used strongest first:
1. the council's own flag (Devon's creditor type, Calderdale's VCSE flag, Salford's SME flag, Sheffield's
   directory classification);
2. an identifier (a registered charity number; a Companies House number with a CIO or registered-society
   prefix);
3. a name rule (legal form and sector words in the name).

Confidences are Commonweal defaults, set from the accuracy measured on the corpus (docs/market.md) and
configurable through `ClassificationRules`. "SME" follows the UK definition used in public procurement: fewer
than 250 staff and turnover up to €50m or balance sheet up to €43m (Commission Recommendation 2003/361/EC, as
used by Crown Commercial Service and the Cabinet Office's SME spend statistics). No spend file states staff or
turnover, so an SME label from a name rule is a base-rate judgement: 99.9% of UK private-sector businesses are
SMEs (Department for Business and Trade, Business population estimates for the UK and regions 2023).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from commonweal.domain.market.identifiers import CIO_PREFIXES, REGISTERED_SOCIETY_PREFIXES


class Label(StrEnum):
    SME = "sme"
    LARGE = "large"
    VCSE = "vcse"
    PUBLIC = "public_body"
    INDIVIDUAL = "individual_or_redacted"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SupplierEvidence:
    """What the spend files say about one supplier. Identifiers are already normalised (see identifiers)."""

    name: str
    redacted: bool = False
    company_number: str | None = None
    charity_number: str | None = None
    council_supplier_type: str = ""
    council_vcse_flag: str = ""
    council_sme_flag: str = ""
    grant_recipient: bool = False
    # the accounts category Companies House records for the company (basic company data, `Accounts.AccountCategory`)
    accounts_category: str = ""


# The weakest evidence: what a name's words suggest. For size it is only a base rate (see the module's docstring).
NAME_RULE = "name rule"


@dataclass(frozen=True)
class Classification:
    label: Label
    source: str  # "council flag", "identifier", NAME_RULE, "redaction marker", "grants register", "none"
    confidence: float
    reason: str
    vcse_type: str = ""  # charity, cic, cio, registered society, community group, parish or town council, faith


# Devon County Council's creditor types (Devon-County-Council/spending README; shared/data/spend/README.md).
# Business codes (B, BUSN, LTD, SOLE) do not say SME or large, so they leave the decision to the name rules.
DEVON_CREDITOR_TYPES: dict[str, tuple[Label, str]] = {
    "CHTY": (Label.VCSE, "charity"), "VCS": (Label.VCSE, "voluntary or community group"),
    "VH": (Label.VCSE, "community group"), "YTH": (Label.VCSE, "community group"),
    "PRSH": (Label.VCSE, "parish or town council"), "CHU": (Label.VCSE, "faith group"),
    "WGA": (Label.PUBLIC, ""), "EDUC": (Label.PUBLIC, ""), "UNI": (Label.PUBLIC, ""),
    "INDV": (Label.INDIVIDUAL, ""), "PLC": (Label.LARGE, ""),
}
_YES = {"Y", "YES", "TRUE", "1"}
_NO = {"N", "NO", "FALSE", "0"}


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


@dataclass(frozen=True)
class NameRule:
    pattern: re.Pattern[str]
    label: Label
    confidence: float
    vcse_type: str = ""


# Order matters: the first rule that matches decides (a parish council is VCSE before "council" is public).
DEFAULT_NAME_RULES: tuple[NameRule, ...] = (
    NameRule(_words("PARISH COUNCIL", "TOWN COUNCIL", "PARISH MEETING", "COMMUNITY COUNCIL"), Label.VCSE, 0.9,
             "parish or town council"),
    NameRule(_words("COMMUNITY INTEREST COMPANY", "CIC", "C I C"), Label.VCSE, 0.9, "cic"),
    NameRule(_words("CIO", "CHARITABLE INCORPORATED ORGANISATION"), Label.VCSE, 0.9, "cio"),
    NameRule(_words("CHURCH", "PCC", "PAROCHIAL", "DIOCES[EA]N?", "DIOCESE", "METHODIST", "BAPTIST", "MOSQUE",
                    "GURDWARA", "SYNAGOGUE", "TEMPLE", "CHAPEL", "QUAKERS?", "CATHOLIC", "SALVATION ARMY",
                    "MINISTRIES"), Label.VCSE, 0.75, "faith group"),
    NameRule(_words("NHS", "COUNCIL", "BOROUGH", "COUNTY", "CONSTABULARY", "POLICE", "FIRE AND RESCUE",
                    "HM REVENUE", "HMRC", "DEPARTMENT FOR", "MINISTRY OF", "ENVIRONMENT AGENCY", "HIGHWAYS AGENCY",
                    "CLINICAL COMMISSIONING", "PRIMARY CARE TRUST", "FOUNDATION TRUST", "HOSPITALS? TRUST",
                    "INTEGRATED CARE BOARD", "COMBINED AUTHORITY", "UNIVERSITY", "COLLEGE", "PRIMARY SCHOOL",
                    "INFANT SCHOOL", "JUNIOR SCHOOL", "ACADEMY", "HIGH SCHOOL", "COMMUNITY SCHOOL",
                    "YOUTH JUSTICE BOARD", "PENSION FUND", "DVLA", "LAND REGISTRY", "MAGISTRATES", "COURTS? SERVICE",
                    "PROBATION"), Label.PUBLIC, 0.75),
    NameRule(_words("CHARITY", "CHARITABLE", "FOUNDATION", "TRUST", "ASSOCIATION", "ASSOC", "SOCIETY",
                    "VOLUNTARY", "VOLUNTEERS?", "VILLAGE HALL", "SCOUTS?", "GUIDES?", "BROWNIES", "CUBS", "BEAVERS",
                    "RAINBOWS", "YOUTH CLUB", "PRE SCHOOL", "PRESCHOOL", "PLAYGROUP", "PLAY GROUP", "HOSPICE",
                    "CITIZENS ADVICE", "AGE UK", "MIND", "BARNARDOS?", "WOMENS AID", "ACTION FOR", "CARERS", "RELATE",
                    "SAMARITANS", "YMCA", "YWCA", "CO ?OPERATIVE", "FRIENDS OF"), Label.VCSE, 0.6,
             "voluntary or community group"),
    NameRule(_words("PLC", "P L C"), Label.LARGE, 0.6),
    NameRule(_words("MR", "MRS", "MISS", "MS", "DR"), Label.INDIVIDUAL, 0.5),
    NameRule(_words("LIMITED", "LTD", "LLP", "SONS", "AND CO", "T A", "TRADING AS", "PARTNERS", "PARTNERSHIP",
                    "SERVICES", "SOLUTIONS", "CONSULTING", "CONSULTANCY", "CARE HOMES?", "NURSING HOMES?",
                    "RESIDENTIAL HOMES?", "CARE CENTRE", "CARE AGENCY", "HEALTHCARE", "HOTEL", "COACHES", "TAXIS?",
                    "CARS", "GARAGE", "MOTORS", "ELECTRICAL", "PLUMBING", "BUILDERS?", "CONSTRUCTION", "ENGINEERING",
                    "DAY NURSERY"), Label.SME, 0.55),
    # Words common to community groups but also to companies' names: they decide only when nothing else does.
    NameRule(_words("COMMUNITY", "CENTRE", "CLUB", "FEDERATION", "ALLIANCE", "MUTUAL", "APPEAL", "FUND"),
             Label.VCSE, 0.5, "voluntary or community group"),
)


@dataclass(frozen=True)
class ClassificationRules:
    """The evidence weights. Commonweal defaults; a council may change them."""

    name_rules: tuple[NameRule, ...] = DEFAULT_NAME_RULES
    council_flag_confidence: float = 0.95
    charity_number_confidence: float = 0.95
    grant_recipient_confidence: float = 0.6
    sme_accounts_confidence: float = 0.9
    full_accounts_confidence: float = 0.6


def _name_rule(name: str, rules: ClassificationRules) -> Classification | None:
    text = re.sub(r"[^0-9A-Z ]+", " ", name.upper().replace("&", " AND ").replace("'", ""))
    text = re.sub(r"\s+", " ", text).strip()
    for rule in rules.name_rules:
        if match := rule.pattern.search(text):
            return Classification(rule.label, NAME_RULE, rule.confidence,
                                  f"name matches the {rule.label.value} rule on {match[0]!r}", rule.vcse_type)
    return None


def _council_flag(evidence: SupplierEvidence, rules: ClassificationRules) -> Classification | None:
    confidence = rules.council_flag_confidence
    code = evidence.council_supplier_type.strip().upper()
    if code in DEVON_CREDITOR_TYPES:
        label, vcse_type = DEVON_CREDITOR_TYPES[code]
        return Classification(label, "council flag", confidence, f"council creditor type {code}", vcse_type)
    if "NON-BUSINESS INDIVIDUAL" in code or "DIRECT PAYMENT" in code:
        # Devon's long-text creditor types since 2025; Sheffield's `CAREFIRST DIRECT PAYMENTS` (payments to people)
        return Classification(Label.INDIVIDUAL, "council flag", confidence, f"council classification {code!r}")
    if code.startswith("CHARITIES") or "VOLUNTARY ORGANIS" in code:
        return Classification(Label.VCSE, "council flag", confidence, f"council classification {code!r}",
                              "charity")
    if evidence.council_vcse_flag.strip().upper() in _YES:
        return Classification(Label.VCSE, "council flag", confidence, "council's VCSE flag is Y", "")
    sme = evidence.council_sme_flag.strip().upper()
    if sme in _YES:
        return Classification(Label.SME, "council flag", confidence, "council's SME flag is Yes")
    if sme in _NO:
        by_name = _name_rule(evidence.name, rules)
        if by_name and by_name.label in (Label.PUBLIC, Label.VCSE):
            return by_name
        return Classification(Label.LARGE, "council flag", confidence, "council's SME flag is No")
    return None


def classify(evidence: SupplierEvidence, rules: ClassificationRules | None = None,
             use_council_flags: bool = True) -> Classification:
    """Label one supplier from the strongest evidence available.

    `use_council_flags=False` classifies as if the council had published no flag: that is how accuracy is
    measured against the flags (docs/market.md).
    """
    rules = rules or ClassificationRules()
    if evidence.redacted:
        return Classification(Label.INDIVIDUAL, "redaction marker", 0.9,
                              "name redacted by the council (personal data or confidentiality)")
    if use_council_flags and (flagged := _council_flag(evidence, rules)):
        return flagged
    if evidence.charity_number:
        return Classification(Label.VCSE, "identifier", rules.charity_number_confidence,
                              f"registered charity number {evidence.charity_number}", "charity")
    if evidence.company_number:
        prefix = evidence.company_number[:2]
        if prefix in CIO_PREFIXES:
            return Classification(Label.VCSE, "identifier", rules.charity_number_confidence,
                                  f"company number {evidence.company_number} is a CIO", "cio")
        if prefix in REGISTERED_SOCIETY_PREFIXES:
            return Classification(Label.VCSE, "identifier", 0.7,
                                  f"company number {evidence.company_number} is a registered society",
                                  "registered society")
    by_name = _name_rule(evidence.name, rules)
    if by_name and by_name.label in (Label.VCSE, Label.PUBLIC, Label.INDIVIDUAL):
        return by_name  # what an organisation is (a charity, a council) before how big it is
    if sized := size_from_accounts(evidence.accounts_category, rules):
        return sized
    if by_name:
        return by_name
    # Grants registers also fund businesses (flood grants), so a grant only decides when the name is silent.
    if evidence.grant_recipient:
        return Classification(Label.VCSE, "grants register", rules.grant_recipient_confidence,
                              "receives grants from the council or a 360Giving funder", "voluntary or community group")
    if evidence.company_number:
        return Classification(Label.SME, "identifier", 0.55,
                              f"registered company {evidence.company_number}; most companies are SMEs")
    return Classification(Label.UNKNOWN, "none", 0.0, "no flag, identifier or name rule applies")


# Companies House accounts categories (basic company data, `Accounts.AccountCategory`) that only a company within the
# small or medium-sized companies regime may file: micro-entity accounts (Companies Act 2006 s.384A), small company
# accounts and the small companies' audit exemption (ss.382-384, s.477: "TOTAL EXEMPTION ..."), abridged accounts
# (s.444(2A), small companies only), medium-sized company accounts (ss.465-467). Evidence of an SME.
SME_ACCOUNTS = frozenset({"MICRO ENTITY", "SMALL", "TOTAL EXEMPTION SMALL", "TOTAL EXEMPTION FULL",
                          "UNAUDITED ABRIDGED", "AUDITED ABRIDGED", "MEDIUM"})
# Full and group accounts: a large company must file them, but a small one may choose to, so they are weaker
# evidence of size (Commonweal default confidence, `ClassificationRules.full_accounts_confidence`). Dormant,
# initial, subsidiaries' exemptions, "no accounts filed" and "not available" say nothing of size.
LARGE_ACCOUNTS = frozenset({"FULL", "GROUP"})
ACCOUNTS_RULE = "Companies House accounts category"


def size_from_accounts(category: str, rules: ClassificationRules | None = None) -> Classification | None:
    """SME or large from the accounts category Companies House records, or None when it says nothing of size."""
    rules = rules or ClassificationRules()
    found = " ".join(category.upper().split())
    if found in SME_ACCOUNTS:
        return Classification(Label.SME, ACCOUNTS_RULE, rules.sme_accounts_confidence,
                              f"files {found.lower()} accounts, open only to small and medium-sized companies "
                              "(Companies Act 2006 ss.382-384A, 465-467)")
    if found in LARGE_ACCOUNTS:
        return Classification(Label.LARGE, ACCOUNTS_RULE, rules.full_accounts_confidence,
                              f"files {found.lower()} accounts, which large companies must (a small company may "
                              "choose to)")
    return None
