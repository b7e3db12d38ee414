"""A council's self-assessment of how far social value informs its commissioning.

Twelve questions, each answered "not at all", "slightly", "moderately" or "significantly". The council is
placed at the level nearest its mean answer (Commonweal default banding: the mean of the answers scored 0–3,
rounded half up), with the reasons (its weakest answers first) and the next steps for those answers.

The benchmark is the poll of delegates at the Society of Local Authority Chief Executives (SOLACE) annual summit
on 18 October 2018, as reported by The MJ ("SOLACE Summit: Miller calls for social value approach change",
Dan Peters, 18 October 2018, https://www.themj.co.uk/SOLACE-Summit-Miller-calls-for-social-value-approach-change-/212056):
64% of delegates thought their council's commissioning decisions were informed by social value only
"slightly". The 32% "moderately" and 4% "significantly" shares are as given in Commonweal's issue #8; the
article's open text shows only the 64% figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Level = Literal["not at all", "slightly", "moderately", "significantly"]
LEVELS: tuple[Level, ...] = ("not at all", "slightly", "moderately", "significantly")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    next_step: str


QUESTIONS: tuple[Question, ...] = (
    Question("strategy", "Does a council-wide social value policy, agreed by members, shape commissioning?",
             "Agree a short social value policy with members and publish it."),
    Question("core_values", "Has the council chosen a few core values that every commission works towards?",
             "Choose at most five core values and map each to outcomes and measures."),
    Question("needs", "Do commissioning plans start from local needs and outcomes rather than last year's "
             "specification?", "Start each commission from an outcomes and needs analysis, not the old contract."),
    Question("weighting", "Is social value a weighted award criterion in tenders, beside price and quality?",
             "Give social value a weighted criterion in every relevant tender (PPN 06/20 sets a 10% minimum "
             "for central government)."),
    Question("price", "Are contracts awarded on whole value rather than lowest price?",
             "Cap price weightings and evaluate price, quality and social value together."),
    Question("measures", "Are social value commitments measured with a sourced, versioned measures library?",
             "Adopt an open measures library and pin its version in every tender."),
    Question("proportionality", "Are measures chosen for their relevance and proportionality to each contract?",
             "Record why each measure relates to the contract and why it is proportionate (Procurement Act "
             "2023 s.23)."),
    Question("delivery", "Is delivery of social value commitments tracked with evidence during the contract?",
             "Collect delivery returns with evidence each quarter and verify them."),
    Question("renegotiation", "Does the council renegotiate or act when commitments are not delivered?",
             "Build social value KPIs and remedies into contracts and use them."),
    Question("community", "Do SMEs, charities and social enterprises take part in the council's commissioning?",
             "Lot contracts and engage the voluntary and community sector before tendering."),
    Question("co_production", "Are residents and service users involved in designing services?",
             "Involve service users in specifications and evaluation panels."),
    Question("reporting", "Does the council publish the social value its contracts deliver?",
             "Publish committed and delivered social value each year."),
)


@dataclass(frozen=True)
class Answer:
    question_id: str
    level: Level
    note: str = ""


@dataclass(frozen=True)
class Benchmark:
    source: str
    shares: tuple[tuple[Level, Decimal], ...]  # percentage of respondents at each level

    def share(self, level: Level) -> Decimal:
        return dict(self.shares).get(level, Decimal(0))


SOLACE_2018 = Benchmark(
    source=(
        "Poll of delegates at the SOLACE annual summit, 18 October 2018, reported by The MJ, 'SOLACE Summit: "
        "Miller calls for social value approach change' (Dan Peters, 18 October 2018): 64% 'slightly'. The 32% "
        "'moderately' and 4% 'significantly' shares are as given in Commonweal issue #8 (not in the article's "
        "open text)."
    ),
    shares=(
        ("not at all", Decimal(0)),
        ("slightly", Decimal(64)),
        ("moderately", Decimal(32)),
        ("significantly", Decimal(4)),
    ),
)


@dataclass(frozen=True)
class Comparison:
    same: Decimal
    below: Decimal
    above: Decimal


@dataclass(frozen=True)
class MaturityResult:
    level: Level
    mean_score: Decimal
    answers: tuple[Answer, ...]
    reasons: tuple[str, ...]
    next_steps: tuple[str, ...]
    benchmark: Benchmark
    comparison: Comparison


def check_answers(answers: Iterable[Answer], questions: tuple[Question, ...] = QUESTIONS) -> list[str]:
    """Problems with a set of answers: unknown, repeated or missing questions."""
    problems: list[str] = []
    known = {q.id for q in questions}
    seen: set[str] = set()
    for answer in answers:
        if answer.question_id not in known:
            problems.append(f"{answer.question_id!r} is not a question; expected one of {', '.join(sorted(known))}")
        elif answer.question_id in seen:
            problems.append(f"{answer.question_id!r} is answered twice")
        seen.add(answer.question_id)
    problems.extend(f"question {q.id!r} is not answered" for q in questions if q.id not in seen)
    return problems


def assess(
    answers: Iterable[Answer], questions: tuple[Question, ...] = QUESTIONS, benchmark: Benchmark = SOLACE_2018
) -> MaturityResult:
    answers = tuple(answers)
    problems = check_answers(answers, questions)
    if problems:
        raise ValueError("; ".join(problems))
    by_id = {q.id: q for q in questions}
    mean = Decimal(sum(LEVELS.index(a.level) for a in answers)) / len(answers)
    level = LEVELS[int(mean.quantize(Decimal(1), ROUND_HALF_UP))]
    weakest = sorted(answers, key=lambda a: LEVELS.index(a.level))
    reasons = tuple(
        f"{by_id[a.question_id].text} {a.level.capitalize()}." + (f" ({a.note})" if a.note else "") for a in weakest
    )
    next_steps = tuple(by_id[a.question_id].next_step for a in weakest if a.level != "significantly")
    index = LEVELS.index(level)
    comparison = Comparison(
        same=benchmark.share(level),
        below=sum((benchmark.share(lv) for lv in LEVELS[:index]), Decimal(0)),
        above=sum((benchmark.share(lv) for lv in LEVELS[index + 1:]), Decimal(0)),
    )
    return MaturityResult(
        level=level,
        mean_score=mean.quantize(Decimal("0.01"), ROUND_HALF_UP),
        answers=answers,
        reasons=reasons,
        next_steps=next_steps,
        benchmark=benchmark,
        comparison=comparison,
    )
