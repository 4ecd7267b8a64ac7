"""The default exit-survey questions (why people came, how often, for whom, who they are, whether
they found it and how), in English and Welsh, and the
check of an answer set against any question set. Pure: no Django."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

SINGLE, MULTIPLE, SCALE, TEXT = "single", "multiple", "scale", "text"
TEXT_LIMIT = 500


@dataclass(frozen=True)
class Choice:
    value: str
    en: str
    cy: str


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    kind: str
    en: str
    cy: str
    required: bool = False
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    hint_en: str = ""
    hint_cy: str = ""


def _c(value: str, en: str, cy: str) -> Choice:
    return Choice(value, en, cy)


DEFAULT_QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec(
        "reason",
        TEXT,
        "What did you come to do today?",
        "Beth daethoch chi i’w wneud heddiw?",
        hint_en="For example, pay council tax or find a care home.",
        hint_cy="Er enghraifft, talu’r dreth gyngor neu ddod o hyd i gartref gofal.",
    ),
    QuestionSpec(
        "visits",
        SINGLE,
        "How often do you visit this website?",
        "Pa mor aml ydych chi’n ymweld â’r wefan hon?",
        required=True,
        choices=(
            _c("first", "This is my first visit", "Dyma fy ymweliad cyntaf"),
            _c("occasional", "A few times a year", "Ychydig o weithiau’r flwyddyn"),
            _c("regular", "Every month or more", "Bob mis neu’n amlach"),
        ),
    ),
    QuestionSpec(
        "for_whom",
        SINGLE,
        "Who are you looking for information for?",
        "Ar gyfer pwy ydych chi’n chwilio am wybodaeth?",
        required=True,
        choices=(
            _c("self", "Myself", "Fi fy hun"),
            _c(
                "intermediary",
                "Someone else: family, a friend, someone I care for",
                "Rhywun arall: teulu, ffrind, rhywun rwy’n gofalu amdano",
            ),
            _c("professional", "For my work", "Ar gyfer fy ngwaith"),
        ),
    ),
    QuestionSpec(
        "age",
        SINGLE,
        "How old are you?",
        "Faint yw eich oed?",
        choices=(
            _c("under-25", "Under 25", "Dan 25"),
            _c("25-44", "25 to 44", "25 i 44"),
            _c("45-59", "45 to 59", "45 i 59"),
            _c("60-74", "60 to 74", "60 i 74"),
            _c("75-plus", "75 or over", "75 neu’n hŷn"),
            _c("not-say", "Prefer not to say", "Mae’n well gennyf beidio â dweud"),
        ),
    ),
    QuestionSpec(
        "gender",
        SINGLE,
        "What is your gender?",
        "Beth yw eich rhywedd?",
        choices=(
            _c("female", "Female", "Benyw"),
            _c("male", "Male", "Gwryw"),
            _c("other", "In another way", "Mewn ffordd arall"),
            _c("not-say", "Prefer not to say", "Mae’n well gennyf beidio â dweud"),
        ),
    ),
    QuestionSpec(
        "found_by",
        MULTIPLE,
        "How did you find this website?",
        "Sut daethoch chi o hyd i’r wefan hon?",
        choices=(
            _c("search", "A search engine", "Peiriant chwilio"),
            _c("link", "A link from another website", "Dolen o wefan arall"),
            _c("social", "Social media", "Cyfryngau cymdeithasol"),
            _c("print", "A leaflet, poster or letter", "Taflen, poster neu lythyr"),
            _c("staff", "Council staff told me", "Dywedodd staff y cyngor wrthyf"),
            _c("family", "Family or a friend told me", "Dywedodd teulu neu ffrind wrthyf"),
            _c(
                "direct",
                "I typed the address or used a bookmark",
                "Teipiais y cyfeiriad neu defnyddiais nod tudalen",
            ),
            _c("other", "Another way", "Ffordd arall"),
        ),
    ),
    QuestionSpec(
        "found",
        SINGLE,
        "Did you find what you wanted?",
        "A ddaethoch chi o hyd i’r hyn oeddech chi ei eisiau?",
        required=True,
        choices=(
            _c("yes", "Yes", "Do"),
            _c("partly", "Partly", "Yn rhannol"),
            _c("no", "No", "Naddo"),
        ),
    ),
    QuestionSpec(
        "satisfaction",
        SCALE,
        "Overall, how satisfied are you with this website?",
        "At ei gilydd, pa mor fodlon ydych chi â’r wefan hon?",
        choices=(
            _c("1", "Very dissatisfied", "Anfodlon iawn"),
            _c("2", "Dissatisfied", "Anfodlon"),
            _c("3", "Neither satisfied nor dissatisfied", "Na bodlon nac anfodlon"),
            _c("4", "Satisfied", "Bodlon"),
            _c("5", "Very satisfied", "Bodlon iawn"),
        ),
    ),
    QuestionSpec(
        "otherwise",
        SINGLE,
        "If you could not have done this online, how would you have contacted us?",
        "Pe na baech wedi gallu gwneud hyn ar-lein, sut fyddech chi wedi cysylltu â ni?",
        choices=(
            _c("phone", "By phone", "Dros y ffôn"),
            _c("in-person", "In person", "Wyneb yn wyneb"),
            _c("email", "By email", "Drwy e-bost"),
            _c("letter", "By letter", "Drwy lythyr"),
            _c("not", "I would not have contacted you", "Ni fyddwn wedi cysylltu â chi"),
            _c("dont-know", "I don’t know", "Dydw i ddim yn gwybod"),
        ),
    ),
    QuestionSpec(
        "comments",
        TEXT,
        "Is there anything else you would like to tell us?",
        "A oes unrhyw beth arall yr hoffech ei ddweud wrthym?",
        hint_en="Up to 500 characters. Please do not include personal details such as your name, "
        "address or phone number.",
        hint_cy="Hyd at 500 nod. Peidiwch â chynnwys manylion personol fel eich enw, eich "
        "cyfeiriad neu eich rhif ffôn.",
    ),
)


def check_answers(
    answers: Any, questions: tuple[QuestionSpec, ...]
) -> tuple[dict[str, str | list[str]], list[tuple[str, str]]]:
    """The answers kept (known questions, clean values) and the problems, each naming its field.
    Unanswered optional questions are left out."""
    errors: list[tuple[str, str]] = []
    if not isinstance(answers, dict):
        return {}, [("answers", "Send the answers as an object of question keys to values.")]
    by_key = {q.key: q for q in questions}
    for key in answers:
        if key not in by_key:
            errors.append((f"answers.{key}", f"There is no question '{str(key)[:40]}'."))
    clean: dict[str, str | list[str]] = {}
    for q in questions:
        value = answers.get(q.key)
        field_name = f"answers.{q.key}"
        if value in (None, "", []):
            if q.required:
                errors.append((field_name, gettext_noop("Answer this question.")))
            continue
        allowed = {c.value for c in q.choices}
        if q.kind == MULTIPLE:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append((field_name, gettext_noop("Send a list of choices.")))
            elif not set(value) <= allowed:
                errors.append((field_name, gettext_noop("Choose from the listed answers.")))
            else:
                clean[q.key] = sorted(set(value))
        elif q.kind == TEXT:
            if not isinstance(value, str):
                errors.append((field_name, gettext_noop("Send text.")))
            elif len(value) > TEXT_LIMIT:
                errors.append((field_name, f"Use {TEXT_LIMIT} characters or fewer."))
            elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
                errors.append((field_name, gettext_noop("Remove control characters.")))
            else:
                clean[q.key] = value.strip()
        else:
            text = (
                str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
            )
            if text is None or text not in allowed:
                errors.append((field_name, gettext_noop("Choose one of the listed answers.")))
            else:
                clean[q.key] = text
    return clean, errors
