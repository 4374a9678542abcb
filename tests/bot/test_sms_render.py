"""Bot messages -> one SMS: menus, markdown, URLs, phones, cutting at 3 segments."""
from __future__ import annotations

import re

import pytest

from bot.sms_render import (
    MORE_PROMPT,
    Choice,
    clean_text,
    menu_choices,
    menu_prompt,
    quebec_phones,
    render,
    render_rest,
    render_text,
    short_url,
)
from bot.sms_text import count_segments, is_gsm7

HELP_BUTTONS = [
    ("Aide alimentaire", "/need_food_aid"), ("Frigo libre-service", "/need_fridge"), ("Repas préparés", "/need_meals"),
    ("Livraison d'épicerie", "/need_grocery_delivery"), ("Quelqu'un à qui parler", "/need_phone_support"),
    ("Familles et enfants", "/need_family"), ("Toutes les ressources de ma MRC", "/need_resource_list"),
]


def buttons(pairs):
    return [{"title": t, "payload": p} for t, p in pairs]


def service(i: int, description: str = "Dépannage alimentaire et paniers de Noël pour les familles du secteur.") -> str:
    return (f"{i}. Service numéro {i} — Organisme communautaire\n{description}\n"
            f"Tél. : (418) 555-01{i:02d}\nOuvert maintenant, jusqu'à 16 h.")


def results(count: int = 3, more: bool = True) -> list[dict]:
    messages = [{"text": "Voici ce que j'ai trouvé pour l'aide alimentaire à Trois-Pistoles :"}]
    messages += [{"text": service(i)} for i in range(1, count + 1)]
    if more:
        messages.append({"text": MORE_PROMPT})
    messages.append({"text": "Demander de l'aide, c'est normal. Pour autre chose, écrivez-moi ou faites le 211."})
    return messages


# ---------------------------------------------------------------- cleaning


def test_markdown_is_removed():
    text = clean_text("## Titre\n**Gras** et *italique* et _souligné_ et `code`\n* un point\n---\nfin")
    assert text == "Titre\nGras et italique et souligné et code\n- un point\n\nfin"


def test_underscores_inside_words_and_urls_stay():
    assert clean_text("mon_fichier et https://exemple.ca/a_b_c") == "mon_fichier et exemple.ca/a_b_c"


@pytest.mark.parametrize("url,short", [
    ("https://www.croc-ensemble.org/", "croc-ensemble.org"),
    ("http://exemple.ca/aide/?utm_source=facebook&id=3", "exemple.ca/aide?id=3"),
    ("https://WWW.Exemple.CA/Page", "exemple.ca/Page"),
    ("https://exemple.ca/aide.", "exemple.ca/aide."),
])
def test_short_url(url, short):
    assert short_url(url) == short


def test_markdown_links_keep_their_target_short():
    assert clean_text("Voir [le site](https://www.exemple.ca/aide/)") == "Voir le site : exemple.ca/aide"
    assert clean_text("[exemple.ca](https://exemple.ca)") == "exemple.ca"
    assert clean_text("[418 555-0123](tel:+14185550123)") == "418 555-0123"


@pytest.mark.parametrize("raw,quebec", [
    ("(418) 555-0123", "418 555-0123"),
    ("418-555-0123", "418 555-0123"),
    ("418.555.0123", "418 555-0123"),
    ("4185550123", "418 555-0123"),
    ("+1 418 555 0123", "418 555-0123"),
    ("1-418-555-0123", "418 555-0123"),
    ("418 555-0123", "418 555-0123"),
    ("1-800-363-9010", "1 800 363-9010"),
    ("(866) 277-3553", "1 866 277-3553"),
    ("1 866 277-3553", "1 866 277-3553"),
])
def test_phone_numbers_the_quebec_way(raw, quebec):
    assert quebec_phones(f"Tél. : {raw}.") == f"Tél. : {quebec}."


def test_phone_rewriting_leaves_other_numbers_alone():
    for text in ("211", "2-1-1", "le 28 novembre 2026", "G5L 3A1", "1 866 APPELLE", "poste 1234", "12345678901234"):
        assert quebec_phones(text) == text


def test_phone_rewriting_does_not_touch_urls():
    assert clean_text("https://exemple.ca/4185550123") == "exemple.ca/4185550123"


def test_control_characters_and_spaces():
    assert clean_text("a\x00b\r\n  c \u00a0 d\n\n\n\ne") == "ab\nc d\n\ne"


# ---------------------------------------------------------------- menus


def test_buttons_become_a_numbered_menu_without_payloads():
    rendered = render([{"text": "Lequel?", "buttons": buttons(HELP_BUTTONS[:3])}])
    assert rendered.body == "Lequel?\n\n1. Aide alimentaire\n2. Frigo libre-service\n3. Repas préparés\nRépondez 1, 2 ou 3."
    assert "/" not in rendered.body
    assert [c.payload for c in rendered.choices] == ["/need_food_aid", "/need_fridge", "/need_meals"]


@pytest.mark.parametrize("count,prompt", [
    (1, "Répondez 1."), (2, "Répondez 1 ou 2."), (3, "Répondez 1, 2 ou 3."), (4, "Répondez 1, 2, 3 ou 4."),
    (7, "Répondez par un chiffre de 1 à 7."),
])
def test_menu_prompt(count, prompt):
    assert menu_prompt(count) == prompt


def test_long_menu_fits():
    rendered = render([{"text": "Je peux vous aider à trouver un service près de chez vous. De quoi avez-vous besoin?",
                        "buttons": buttons(HELP_BUTTONS)}])
    assert rendered.segments <= 2
    assert "7. Toutes les ressources de ma MRC" in rendered.body
    assert not rendered.rest


def test_more_button_is_plus_not_a_number():
    messages = [{"text": "J'en ai 4 autre(s).", "buttons": buttons([("Voir les autres", "/more_results")])}]
    assert menu_choices(messages) == []
    rendered = render(messages)
    assert rendered.body.endswith(MORE_PROMPT)
    assert rendered.more


def test_menu_numbering_spans_the_whole_turn():
    messages = [{"text": "A", "buttons": buttons([("Un", "/a")])}, {"text": "B", "buttons": buttons([("Deux", "/b")])}]
    assert menu_choices(messages) == [Choice("Un", "/a"), Choice("Deux", "/b")]


def test_image_and_custom_messages():
    rendered = render([{"image": "https://exemple.ca/x.png"}, {"custom": {"text": "Bonjour"}}, {"text": None}])
    assert rendered.body == "Bonjour"


# ---------------------------------------------------------------- fitting


def test_one_reply_is_one_sms_joining_every_message():
    rendered = render([{"text": "Bonjour!"}, {"text": "Que cherchez-vous?"}])
    assert rendered.body == "Bonjour!\n\nQue cherchez-vous?"
    assert rendered.segments == 1


def test_a_long_answer_is_cut_between_services_with_plus():
    rendered = render(results(3))
    assert rendered.segments <= 3
    assert rendered.rest
    assert rendered.body.endswith(MORE_PROMPT)
    assert rendered.body.count(MORE_PROMPT) == 1
    assert "1. Service numéro 1" in rendered.body
    shown = re.findall(r"Service numéro (\d)", rendered.body)
    assert all(f"Service numéro {i}" in "".join(rendered.rest) for i in range(len(shown) + 1, 4))
    # The cut is at a block boundary: no service is half shown.
    for block in rendered.rest:
        assert block not in rendered.body


def test_plus_shows_the_rest_then_says_the_bot_has_more():
    first = render(results(3))
    second = render_rest(first.rest, first.more)
    assert "Service numéro 3" in second.body
    assert second.segments <= 3
    assert not second.rest
    assert second.body.endswith(MORE_PROMPT)  # the bot itself has a next page


def test_everything_shown_across_parts():
    messages = results(3)
    parts, rendered = [], render(messages)
    parts.append(rendered.body)
    while rendered.rest:
        rendered = render_rest(rendered.rest, rendered.more)
        parts.append(rendered.body)
    joined = "\n".join(parts)
    for i in (1, 2, 3):
        assert f"Service numéro {i}" in joined
    assert "Demander de l'aide, c'est normal." in joined


def test_short_answer_with_more_results_keeps_the_plus_prompt_last():
    rendered = render(results(1))
    assert not rendered.rest
    assert rendered.body.endswith(MORE_PROMPT)
    assert rendered.body.count("PLUS") == 1


def test_tight_join_avoids_a_cut():
    block = "x" * 152
    rendered = render([{"text": block}, {"text": block}, {"text": block}])  # 456 + 2 blank lines = 460 > 459
    assert not rendered.rest
    assert rendered.body == "\n".join([block] * 3)
    assert rendered.segments == 3


def test_segments_never_exceed_the_maximum():
    giant = "Mot " * 800
    rendered = render([{"text": giant}])
    assert rendered.segments <= 3
    assert rendered.rest
    assert rendered.body.endswith(MORE_PROMPT)
    follow = render_rest(rendered.rest)
    assert follow.segments <= 3


def test_a_single_giant_word_is_cut():
    rendered = render([{"text": "x" * 2000}])
    assert rendered.segments <= 3
    assert rendered.rest


def test_pinned_question_with_menu_is_always_shown():
    messages = [{"text": "Long texte. " * 30}, {"text": "Lequel est le vôtre?", "buttons": buttons(HELP_BUTTONS[:2])}]
    rendered = render(messages)
    assert rendered.segments <= 3
    assert "Lequel est le vôtre?" in rendered.body or "Lequel est le votre?" in rendered.body
    assert "1. Aide alimentaire" in rendered.body


def test_max_segments_is_configurable():
    rendered = render(results(3), max_segments=1)
    assert rendered.segments == 1


def test_transliterates_only_when_it_saves_segments():
    accents = "Vous êtes à la bonne place, ça me fait plaisir de vous aider à trouver ce qu'il faut."
    short = render_text(accents)
    assert short.body == accents.replace("ê", "e").replace("ç", "c")  # 86 chars: 2 UCS-2 segments vs 1 GSM-7
    tiny = render_text("Ça fête!")
    assert tiny.body == "Ça fête!"  # one segment either way: kept as written
    assert render_text("Été à Rivière-du-Loup").body == "Été à Rivière-du-Loup"


def test_rendered_body_is_what_is_counted():
    rendered = render(results(3))
    assert count_segments(rendered.body) == rendered.segments
    assert is_gsm7(rendered.body)
