from hypothesis import given, settings
from hypothesis import strategies as st

from adclassify.lexicon import read_lexicons
from adclassify.normalize import normalize, normalize_batch


def test_undoes_evasion():
    cases = {
        "W h a t s A p p": "whatsapp",
        "w.h.a.t.s.a.p.p": "whatsapp",
        "t e l e g r a m": "telegram",
        "wh4tsapp p@ssp0rt": "whatsapp passport",
        "3urope 1taly pl4c35 80at": "europe italy places boat",  # leetspeak at the edges of words
        "Whаtsаpp": "whatsapp",  # Cyrillic а inside a Latin word
        "Tele\u200bgram": "telegram",
        "ＴＥＬＥＧＲＡＭ": "telegram",
        "qua biên giới đi Anh": "qua bien gioi di anh",
    }
    for raw, expected in cases.items():
        assert normalize_batch([raw])[0] == expected, raw


def test_keeps_real_text_and_numbers():
    assert normalize_batch(["Привет мир"])[0] == "привет мир"  # Cyrillic words stay Cyrillic
    # a number with its unit, currency or multiplier is not leetspeak
    numbers = "15eur 1500eur 10k 5pm 4x4 10h30 5bin 15tr 1st 100euro 2024 +44 7700 900123 call07700900123"
    assert normalize_batch([numbers])[0] == numbers
    assert normalize_batch(["@b0at_4u #p4ss"])[0] == "@b0at_4u #pass"  # handles keep their digits
    assert normalize_batch(["٠٧٧٠٠"])[0] == "07700"


def test_digits_that_belong_to_a_word_are_kept():
    # Arabizi digits are letters: folded, these would read as "targa", "toms", "sas"
    assert normalize_batch(["7arga 7oms 5as mp3"])[0] == "7arga 7oms 5as mp3"
    assert normalize_batch(["l7arga"])[0] == "ltarga"  # a digit inside a word folds, as in the lexicons
    # counts before words are numbers, but "5ans" is leetspeak for "sans"
    assert normalize_batch(["5hours 3nights 7jours 4places"])[0] == "5hours 3nights 7jours 4places"
    assert normalize_batch(["5ans papiers"])[0] == "sans papiers"
    assert normalize_batch(["wh4tsapp/t3l3gram"])[0] == "whatsapp/telegram"  # a slash lists words


def test_lexicon_words_with_a_digit_at_an_edge_keep_it():
    # a lexicon word such as 7arga must be listed in tables/digit_words.tsv (or be a number with its unit)
    words = {w for _, term, _, _ in read_lexicons() for w in term.lower().split()}
    edged = sorted(
        w
        for w in words
        if w.isascii() and w.isalnum() and not w.isdigit() and "2" not in w and "6" not in w
        if w[0] in "01345789" or w[-1] in "01345789"
    )
    assert "7arga" in edged and "5as" in edged
    # kept, or folded into another lexicon word on purpose (ms9 reads msg)
    assert [w for w in edged if (n := normalize_batch([w])[0]) != w and n not in words] == []


def test_emojis_and_flags_become_tokens():
    out = normalize_batch(["UK 🇬🇧 by 🚤"])[0].split()
    assert out == ["uk", "flag_gb", "by", "e_speedboat"]


def test_spaced_letters_stop_at_emoji_tokens():
    # The emoji's token starts with a letter and an underscore; it is not a lone letter to join.
    assert normalize_batch(["W h 4 t s a p p 🚤"])[0].split() == ["whatsapp", "e_speedboat"]
    assert normalize_batch(["c a l l 🇬🇧 now"])[0].split() == ["call", "flag_gb", "now"]


def test_arabic_variants_meet():
    assert normalize_batch(["إيطاليا"])[0] == normalize_batch(["ايطاليا"])[0]
    assert normalize_batch(["كيف"])[0] == normalize_batch(["کیف"])[0]


def test_offsets_point_into_original():
    text = "Call W.h.a.t.s.a.p.p now 🚤"
    n = normalize(text)
    i = n.text.index("whatsapp")
    a, b = n.span(i, i + len("whatsapp"))
    assert text[a:b] == "W.h.a.t.s.a.p.p"


def test_letter_for_letter_folds_keep_each_characters_span():
    text = "Price 10k on Wh4tsApp"
    n = normalize(text)
    for word in ("10", "app"):  # inside a kept number, inside a folded word
        i = n.text.index(word)
        a, b = n.span(i, i + len(word))
        assert text[a:b].lower() == word


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_single_and_batch_paths_agree(texts):
    batch = normalize_batch(texts)
    for text, norm in zip(texts, batch, strict=True):
        one = normalize(text)
        assert one.text == norm
        assert len(one.starts) == len(one.text) == len(one.ends)
        assert all(0 <= s < e <= len(text) for s, e in zip(one.starts, one.ends, strict=True))
