"""Masking of personal numbers in free text, on messages as mothers really write them."""

from __future__ import annotations

import re
import time

import pytest

from app.privacy import DOCUMENT, EMAIL, PHONE, mask, sender_hash

# --- Phone numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Kazakhstan with the country code, every common way of writing it.
        ("Менің нөмірім +7 701 123 45 67, хабарласыңыз", "Менің нөмірім [phone], хабарласыңыз"),
        ("Позвоните мне +77011234567 пожалуйста", "Позвоните мне [phone] пожалуйста"),
        ("тел: +7 (747) 123-45-67", "тел: [phone]"),
        ("+7-701-123-45-67 WhatsApp", "[phone] WhatsApp"),
        ("Call me at +7 727 250 12 34 after 6", "Call me at [phone] after 6"),
        # Kazakhstan, national (8 ...) and without any prefix.
        ("Позвоните 8 (777) 123-45-67 вечером", "Позвоните [phone] вечером"),
        ("мой номер 87011234567", "мой номер [phone]"),
        ("8-701-123-45-67 хабарласыңыз", "[phone] хабарласыңыз"),
        ("телефон 8 7172 12 34 56 (Астана)", "телефон [phone] (Астана)"),
        ("нөмірім 701 123 45 67", "нөмірім [phone]"),
        ("нөмірім 7011234567", "нөмірім [phone]"),
        ("ватсап 7 777 123 4567", "ватсап [phone]"),
        # Local landline and the Almaty code in brackets.
        ("звоните 250-12-34 с 9 до 18", "звоните [phone] с 9 до 18"),
        ("офис (727) 250 12 34", "офис [phone]"),
        # Neighbouring countries and further away.
        ("мой кыргызский номер +996 555 123 456", "мой кыргызский номер [phone]"),
        ("эрим +998 90 123 45 67 да", "эрим [phone] да"),
        ("Тоҷикистон +992 93 123 4567", "Тоҷикистон [phone]"),
        ("my sister in London +44 20 7946 0958", "my sister in London [phone]"),
        ("кыргызский без плюса 0555 123 456", "кыргызский без плюса [phone]"),
    ],
)
def test_phone_numbers_are_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


def test_a_phone_next_to_other_numbers_keeps_them() -> None:
    assert mask("+7 701 123 45 67 2 ребенка") == "[phone] 2 ребенка"
    assert mask("Мне 25 лет, тел 87011234567, 3 детей") == "Мне 25 лет, тел [phone], 3 детей"


# --- E-mail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("пишите на anna.k-89@mail.ru", "пишите на [email]"),
        ("my email: Aigul_Nur+kz@gmail.com.", "my email: [email]."),
        ("поштам: мама@почта.рф", "поштам: [email]"),
        ("e-mail (sara@yandex.kz) или телефон", "e-mail ([email]) или телефон"),
    ],
)
def test_emails_are_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


# --- Documents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Passports and ID cards: letters and digits.
        (
            "My passport N12345678 was taken by my employer",
            "My passport [document] was taken by my employer",
        ),
        ("төлқұжатым n12345678 жұмыс берушіде қалды", "төлқұжатым [document] жұмыс берушіде қалды"),
        ("паспорт Узбекистана AA1234567", "паспорт Узбекистана [document]"),
        ("ID-карта ID1234567 Кыргызстан", "ID-карта [document] Кыргызстан"),
        ("паспорт AC 1234567 просрочен", "паспорт [document] просрочен"),
        ("Паспорт РФ 45 06 123456", "Паспорт РФ [document]"),
        ("серия и номер 4506 123456", "серия и номер [document]"),
        ("свидетельство о рождении I-ЖЛ № 123456", "свидетельство о рождении [document]"),
        ("паспорт № 1234567", "паспорт [document]"),
        # IIN: 12 digits, also glued to its label.
        ("ИИН ребенка 150301600123", "ИИН ребенка [document]"),
        ("ЖСН: 900101400123, туған жылы 1990", "ЖСН: [document], туған жылы 1990"),
        ("ИИН900101400123", "ИИН[document]"),
        # An ID card number and any other long run of digits.
        ("удостоверение 012345678", "удостоверение [document]"),
        ("номер разрешения 12345678901234", "номер разрешения [document]"),
        # A payment card.
        ("карта каспи 4400 4301 2345 6789", "карта каспи [document]"),
        ("card 4400430123456789", "card [document]"),
    ],
)
def test_document_numbers_are_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


# --- What must stay ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # Emergency and help lines.
        "Звонила в 112 и 103, никто не ответил",
        "Полиция 102, скорая 103, единая 112",
        "112-ге хабарластым, жедел жәрдем 103 келмеді",
        "called 1414 and the 150 children's line, also 111",
        # Ages, counts, durations.
        "Мне 27 лет, ребенку 3 года, второму 1,5 года",
        "Маған 32 жас, балам 5 айлық",
        "I have 3 kids aged 2, 7 and 11",
        "host must register me within 3 days",
        "регистрация 3 рабочих дня, можно жить 90 дней из 180",
        "2-3 дня, 10-15 тысяч",
        # Years and dates.
        "живу в Казахстане с 2019 года",
        "Қазақстанға 2021 жылы келдім",
        "в 2023-2024 учебном году",
        "дата рождения 01.02.2024",
        "born 15-03-2024, arrived 01 02 2024",
        "2019 2020 2021",
        # Money.
        "оплатила 150 000 тенге",
        "зарплата 1 500 000 в год",
        "айлығым 180000 теңге",
        "штраф 50000",
        # Addresses, times, school numbers, postal codes.
        "ул. Абая 150, кв. 12, Алматы 050000",
        "школа № 154, кабинет 12",
        "с 9:00 до 18:00",
        "Kazakhstan Law No. 477 art. 45",
        "",
        "🙂🙂🙂",
    ],
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert mask(text) == text


# --- Whole messages ----------------------------------------------------------------------


def test_a_realistic_russian_message() -> None:
    text = (
        "Здравствуйте, я гражданка Узбекистана, мне 29 лет, ребенку 2 года. "
        "Работодатель забрал паспорт AA1234567 и не отдает уже 3 месяца. "
        "Мой номер 8 (705) 123 45 67, ватсап +998 90 123 45 67, почта dilnoza88@mail.ru. "
        "ИИН сына 220315600456. Звонила в 102."
    )
    assert mask(text) == (
        "Здравствуйте, я гражданка Узбекистана, мне 29 лет, ребенку 2 года. "
        "Работодатель забрал паспорт [document] и не отдает уже 3 месяца. "
        "Мой номер [phone], ватсап [phone], почта [email]. "
        "ИИН сына [document]. Звонила в 102."
    )


def test_a_realistic_kazakh_message() -> None:
    text = (
        "Сәлеметсіз бе! Мен Қырғызстаннанмын, 2 балам бар. Балама ЖСН керек, "
        "туу туралы куәлігі I-ЖЛ № 123456. Маған +996 700 12 34 56 немесе "
        "87771234567 нөміріне хабарласыңыз, 18:00-ден кейін."
    )
    assert mask(text) == (
        "Сәлеметсіз бе! Мен Қырғызстаннанмын, 2 балам бар. Балама ЖСН керек, "
        "туу туралы куәлігі [document]. Маған [phone] немесе "
        "[phone] нөміріне хабарласыңыз, 18:00-ден кейін."
    )


def test_a_realistic_english_message() -> None:
    text = (
        "Hi, I came from Tajikistan in 2022 with my 4 year old. My passport number is "
        "N12345678 and it expires in 30 days. Email me at zarina.r@gmail.com or call "
        "+7 701 555 66 77. Is 112 free?"
    )
    assert mask(text) == (
        "Hi, I came from Tajikistan in 2022 with my 4 year old. My passport number is "
        "[document] and it expires in 30 days. Email me at [email] or call "
        "[phone]. Is 112 free?"
    )


def test_masking_is_idempotent_and_keeps_line_breaks() -> None:
    text = "тел\n87011234567\nИИН 900101400123\n3 дня"
    once = mask(text)
    assert once == "тел\n[phone]\nИИН [document]\n3 дня"
    assert mask(once) == once


def test_no_long_digit_run_survives_masking() -> None:
    samples = [
        "+7 701 123 45 67",
        "87011234567",
        "900101400123",
        "N12345678",
        "4400 4301 2345 6789",
        "мой номер:87011234567.",
        "(8)701-123-45-67",
    ]
    for sample in samples:
        masked = mask(sample)
        assert not re.search(r"\d{6,}", masked.replace(" ", "").replace("-", "")), masked
        assert any(token in masked for token in (PHONE, EMAIL, DOCUMENT)), masked


def test_masking_is_fast_on_hostile_input() -> None:
    hostile = ["1 " * 1000, "a" * 2000, "a." * 1000 + "@b", "9" * 2000, "+1-" * 666, "(" * 2000]
    started = time.perf_counter()
    for text in hostile:
        mask(text)
    assert time.perf_counter() - started < 1.0


# --- Sender pseudonyms -------------------------------------------------------------------


def test_sender_hash_is_keyed_stable_and_not_the_id() -> None:
    first = sender_hash("123456789", "salt-a")
    assert first == sender_hash("123456789", "salt-a")
    assert first != sender_hash("123456789", "salt-b")
    assert first != sender_hash("123456780", "salt-a")
    assert "123456789" not in first
    assert re.fullmatch(r"[0-9a-f]{64}", first)
