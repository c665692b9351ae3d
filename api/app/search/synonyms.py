"""Everyday words and abbreviations for the official words the snippets use.

She types "РВП", "садик", "оператор", "паспорт", "nanny"; the answer says
"разрешение на временное проживание", "детский сад", "диспетчер", "төлқұжат",
"household". Each group lists expressions that mean the same thing in one
language; a query word that is one of them also looks for the others (a
many-word expression counts as far as its words are found together).

Keep groups to true equivalents of the subject (migration, work, health,
children, documents): a loose group finds wrong answers for every query.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from app.search.normalize import stem_en, stem_kk, stem_ru, tokens

GROUPS: dict[str, list[list[str]]] = {
    "kk": [
        ["паспорт", "төлқұжат"],
        ["ЖСН", "ИИН", "жеке сәйкестендіру нөмірі"],
        ["ХҚКО", "ЦОН", "халыққа қызмет көрсету орталығы"],
        ["ЕАЭО", "ЕАЭС", "Еуразиялық экономикалық одақ"],
        ["ТМД", "СНГ"],
        ["УТР", "РВП", "уақытша тұруға рұқсат"],
        ["ықтиярхат", "ВНЖ", "тұруға ықтиярхат"],
        ["МӘМС", "ОСМС", "медициналық сақтандыру"],
        ["АЕК", "МРП", "айлық есептік көрсеткіш"],
        ["садик", "балабақша"],
        ["скорая", "жедел жәрдем"],
        ["поликлиника", "емхана"],
        ["роддом", "перзентхана"],
        ["декрет", "жүктілік және босану демалысы"],
        ["зарплата", "айлық", "жалақы"],
        ["юрист", "заңгер", "адвокат"],
        ["күйеу", "жұбай"],
        ["прописка", "тіркеу"],
        ["депортация", "шығарып жіберу"],
        ["оператор", "диспетчер"],
        ["нәресте", "сәби", "ұлым", "қызым", "бала"],
    ],
    "ru": [
        ["РВП", "разрешение на временное проживание"],
        ["ВНЖ", "вид на жительство"],
        ["ПМЖ", "постоянное проживание"],
        ["ЦОН", "госкорпорация", "ХҚКО"],
        ["ИИН", "ЖСН", "индивидуальный идентификационный номер"],
        ["ЕАЭС", "ЕАЭО", "Евразийский экономический союз"],
        ["СНГ", "ТМД"],
        ["ДМС", "добровольное страхование"],
        ["ОСМС", "МӘМС", "обязательное медицинское страхование"],
        ["МРП", "АЕК", "месячный расчетный показатель"],
        ["садик", "детсад", "детский сад"],
        ["скорая", "скорая помощь", "неотложка"],
        ["роддом", "родильный дом"],
        ["декрет", "декретный отпуск", "отпуск по беременности и родам"],
        ["зарплата", "заработная плата"],
        ["юрист", "адвокат"],
        ["муж", "супруг"],
        ["прописка", "регистрация"],
        ["депортация", "выдворение"],
        ["оператор", "диспетчер"],
        ["загранпаспорт", "паспорт"],
        ["няня", "домработница", "домашнее хозяйство"],
        ["младенец", "новорожденный", "малыш", "сын", "дочь", "дочка", "ребенок"],
        ["стоимость", "стоит", "цена", "платить"],
    ],
    "en": [
        ["TRP", "temporary residence permit"],
        ["residence card", "residence permit"],
        ["CON", "public service center"],
        ["IIN", "individual identification number"],
        ["OSMS", "compulsory health insurance"],
        ["VHI", "voluntary health insurance"],
        ["MCI", "monthly calculation index"],
        ["EAEU", "Eurasian Economic Union"],
        ["CIS", "Commonwealth of Independent States"],
        ["kindergarten", "preschool", "daycare", "nursery"],
        ["ambulance", "emergency medical care"],
        ["polyclinic", "clinic"],
        ["maternity hospital", "birth clinic"],
        ["maternity leave", "parental leave"],
        ["wages", "salary"],
        ["lawyer", "attorney", "legal aid"],
        ["husband", "spouse"],
        ["deportation", "expulsion"],
        ["operator", "dispatcher"],
        ["nanny", "housekeeper", "domestic worker", "household"],
        ["baby", "newborn", "son", "daughter", "kid", "child"],
        ["cost", "price", "fee"],
    ],
}

_STEMMERS: dict[str, Callable[[str], str]] = {"kk": stem_kk, "ru": stem_ru, "en": stem_en}


def _stems(lang: str, expression: str) -> tuple[str, ...]:
    stem = _STEMMERS[lang]
    return tuple(dict.fromkeys(stem(w) for w in tokens(expression) if not w.isdigit()))


@lru_cache(maxsize=4)
def table(lang: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """For each one-word expression's stem, the stems of the other expressions of its group."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for group in GROUPS.get(lang, []):
        expressions = [_stems(lang, e) for e in group]
        for one in expressions:
            if len(one) != 1:
                continue
            others = found.setdefault(one[0], [])
            others.extend(e for e in expressions if e != one and e and e not in others)
    return {stem: tuple(others) for stem, others in found.items()}
