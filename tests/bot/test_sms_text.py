"""Segment counting and GSM-7 transliteration, checked against known carrier cases."""
from __future__ import annotations

import pytest

from bot.sms_text import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    UCS2,
    cheapest,
    count_segments,
    is_gsm7,
    segment_info,
    to_gsm7,
)


def test_alphabet_size():
    # 128 positions of GSM 03.38 minus the escape code, plus the 10 extension characters.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10


@pytest.mark.parametrize("char", list("éèàùÉ@£$¥ìòÇØøÅåÄÖÑÜäöñü§¿¡ß"))
def test_french_and_basic_accents_are_gsm7(char):
    assert is_gsm7(char)


@pytest.mark.parametrize("char", list("êâîôûëïçœ«»’ÊÀÈÔ“”…—–") + ["\u00a0", "\u202f", "😀"])
def test_these_are_not_gsm7(char):
    assert not is_gsm7(char)


def test_empty_text():
    assert segment_info("").segments == 0


def test_pure_gsm7_single_segment_limit():
    assert segment_info("a" * 160) == segment_info("a" * 160)
    info = segment_info("a" * 160)
    assert (info.encoding, info.units, info.segments) == (GSM7, 160, 1)


def test_161_gsm7_characters_take_two_segments():
    assert count_segments("a" * 161) == 2


def test_gsm7_multipart_is_153_per_segment():
    assert count_segments("a" * 306) == 2
    assert count_segments("a" * 307) == 3
    assert count_segments("a" * 459) == 3
    assert count_segments("a" * 460) == 4


def test_one_e_circumflex_forces_ucs2():
    text = "Fête" + "a" * 60
    info = segment_info(text)
    assert info.encoding == UCS2
    assert info.segments == 1
    assert count_segments("ê" + "a" * 69) == 1
    assert count_segments("ê" + "a" * 70) == 2


def test_ucs2_multipart_is_67_per_segment():
    assert count_segments("ê" * 134) == 2
    assert count_segments("ê" * 135) == 3
    assert count_segments("ê" * 201) == 3
    assert count_segments("ê" * 202) == 4


def test_a_message_that_is_one_gsm7_segment_becomes_three_in_ucs2():
    text = "Vous êtes" + "." * 151  # 160 characters
    assert len(text) == 160
    assert count_segments(text) == 3  # UCS-2: 160 > 134
    assert count_segments(to_gsm7(text)) == 1


def test_extension_characters_count_double():
    info = segment_info("€" * 80)
    assert (info.encoding, info.units, info.segments) == (GSM7, 160, 1)
    assert count_segments("€" * 81) == 2
    assert count_segments("a" * 159 + "[") == 2


def test_an_escape_pair_is_never_split_between_segments():
    # 152 plain characters then "€" (2 septets): the pair does not fit in the first
    # 153 septets, so it moves to the second part; 154 septets + 152 = 306 still fit in two.
    text = "a" * 152 + "€" + "a" * 152
    assert segment_info(text).units == 306
    assert count_segments(text) == 3


def test_emoji_counts_two_utf16_units():
    info = segment_info("😀")
    assert (info.encoding, info.units) == (UCS2, 2)
    assert count_segments("😀" * 35) == 1
    assert count_segments("😀" * 36) == 2


def test_transliteration_replaces_only_characters_outside_gsm7():
    text = "Fête « ça » l’été à l’œuvre — É è ù"
    converted = to_gsm7(text)
    assert converted == "Fete \"ca\" l'été à l'oeuvre - É è ù"
    assert is_gsm7(converted)


def test_transliteration_keeps_what_it_cannot_map():
    assert to_gsm7("merci 😀") == "merci 😀"


def test_cheapest_keeps_accents_when_no_segment_is_saved():
    short = "Ça va être correct."  # one UCS-2 segment either way
    assert cheapest(short) == short


def test_cheapest_transliterates_when_it_saves_segments():
    long = "Une fête pour être ensemble. " * 4  # 116 characters: 2 UCS-2 segments, 1 GSM-7
    assert count_segments(long) == 2
    assert cheapest(long) == "Une fete pour etre ensemble. " * 4
    assert count_segments(cheapest(long)) == 1


def test_cheapest_never_touches_pure_gsm7():
    text = "Épicerie à Rivière-du-Loup, été " * 10
    assert cheapest(text) == text
