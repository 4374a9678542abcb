"""Gazetteer: free text -> a place of the Bas-Saint-Laurent.

Pure and fast, no database: the project's own TSV files in
`data/geography` are read once, every official name, alias and generated
variant is indexed under its `fold_place` form, and a message is scanned word
n-gram by word n-gram, longest match first. Typos are caught with rapidfuzz on
a small prefiltered candidate list, under an edit budget that depends on how
distinctive the name is, so that ordinary French words do not turn into towns.

Decisions worth knowing (see also data/geography/README.md):

* A municipality's official name beats an MRC name or an alias written the
  same way: "Rimouski", "Kamouraska", "Rivière-du-Loup" are the towns (each
  carries its MRC anyway). "le Kamouraska", "MRC de Kamouraska" are the MRC.
* An alias shared by places of one MRC ("Métis", "Île-Verte") resolves to
  that MRC; shared across MRCs ("Saint-Gabriel", "Saint-Jean") it is
  "ambiguous" and the candidates are returned.
* "Matapédia" alone is the MRC La Matapédia. The village of Matapédia is in
  the MRC Avignon (Gaspésie), outside the region, but a resident of the
  Bas-Saint-Laurent who types "Matapédia" almost always means "la Matapédia",
  the valley and MRC. Only explicit forms ("village de Matapédia",
  "Matapédia en Gaspésie") are reported as outside.
* Some names are also common words or surnames ("Bic", "Métis", "Price",
  "Picard", "la Vallée", "Esprit-Saint", the short forms "Saint-Jean",
  "Saint-Gabriel"…). Inside a sentence they only count after a locative
  word ("à", "au", "dans", "secteur", "près de", "je viens du"…) or at the
  start of the message; `resolve()`, which receives a place name alone,
  always accepts them.
* Typos: a dictionary word is never read as a typo of a name unless another
  distinctive word of the name is typed exactly ("les auteurs" is not Les
  Hauteurs, "trois pistole" is Trois-Pistoles); see near_words.txt.
* "Québec" after "au", "du" or "le" is the province and is ignored.
"""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from .text import fold, fold_place

DATA_DIR = Path(__file__).resolve().parent / "data" / "geography"

# Names of the whole region (kind "region").
REGION_NAMES = (
    "Bas-Saint-Laurent",
    "le Bas-Saint-Laurent",
    "BSL",
    "Bas-du-Fleuve",
    "le Bas-du-Fleuve",
    "Bas du Fleuve",
)

_FUNCTION_WORDS = frozenset({"la", "le", "les", "l", "d", "de", "du", "des", "au", "aux", "a", "en", "et", "sur"})

# Words that carry no identity on their own: a key made only of these is never
# indexed, and they do not count in a name's "distinctive" length for typos.
GENERIC_WORDS = frozenset(
    """
    saint sainte saints saintes de la le les l d du des sur notre dame lac
    riviere mont val grand grande grosse grosses petit petite au aux a en et
    ile iles isle pointe baie cap ruisseau route village ville est ouest nord
    sud mer mrc canton secteur region municipalite paroisse reserve
    """.split()
)

# Generic words that still anchor a name ("Sainte-Rta" is Sainte-Rita; "les masques" is not Les Basques).
STRONG_GENERIC_WORDS = frozenset(
    """
    saint sainte saints saintes notre dame lac riviere mont val grand grande
    grosse grosses petit petite ile iles isle pointe baie cap ruisseau route canton
    """.split()
)

# A weak key (see WEAK_KEYS) counts inside a sentence only right after one of
# these, or after "de"/"du"/"d" that follows one of them or a verb of origin
# ("près du Bic", "je viens du Bic"; not "il y a du bic").
LOCATIVE_WORDS = frozenset(
    """
    a au aux dans en sur vers chez secteur region ville village municipalite
    paroisse habite demeure
    """.split()
)
_OF_WORDS = frozenset({"de", "du", "d", "des"})
_BEFORE_OF_WORDS = frozenset(
    """
    pres proche coin autour cote bord loin secteur region ville village
    municipalite paroisse mrc viens vient venons venez viennent arrive arrivee
    suis chu originaire natif native
    """.split()
)

# Folded keys that are also common words, surnames or phrases.
WEAK_KEYS = frozenset(
    {
        "bic",
        "le bic",
        "metis",
        "lac long",
        "le portage",
        "redemption",
        "basques",
        "la vallee",
        "lamy",
        "sully",
        "viger",
        "price",
        "picard",
        "lejeune",
        "auclair",
        "esprit saint",
        "grosses roches",
        "lac huron",
        "woodbridge",
        "cherbourg",
    }
)

# Article-less variants that are too generic to index on their own.
_BARE_SKIP = frozenset({"hauteurs", "portage", "vallee", "poc", "neigette"})

# Common words that must never be read as a typo of a place
# ("matante" is not Matane, "les machins" is not Les Méchins).
FUZZY_BLOCKED_WORDS = frozenset(
    """
    matante matantes mataner cabane cabanes cabanon cabanons caban cabans
    pinard machin machins machine machines basque prise prises padou
    degelais degelait degelaient mechions
    """.split()
)

_PROVINCE_PRECEDERS = frozenset({"au", "du", "le", "province"})

# French words one or two letters away from a word of a place name, generated
# from a dictionary by `python -m directory.gazetteer near-words DICT` (see README).
NEAR_WORDS_FILE = "near_words.txt"

FUZZY_MIN_LETTERS = 5  # an n-gram shorter than this is never matched fuzzily
FUZZY_MAX_WORDS = 60  # typos are looked for in the first words of a message only
MAX_TEXT_CHARS = 20_000
MAX_CANDIDATES = 8

_WORD_RE = re.compile(r"[^\W_]+")
_POSTAL_LETTER = "ABCEGHJ-NPRSTV-Z"
_POSTAL_RE = re.compile(
    rf"(?<![A-Za-z0-9])([ABCEGHJ-NPRSTVXY]\d[{_POSTAL_LETTER}])"
    rf"(?:[ \t-]{{0,2}}(\d[{_POSTAL_LETTER}]\d))?(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Tiers: lower wins when several entries share a key.
_TIER_NAME, _TIER_MRC_NAME, _TIER_ALIAS = 0, 1, 2


@dataclass(frozen=True)
class Place:
    kind: str  # "municipality", "mrc", "region"
    mrc_id: str | None  # None only for kind == "region"
    mrc_name: str | None
    municipality_id: str | None = None
    municipality_name: str | None = None
    matched: str = ""  # the text that matched
    via: str = ""  # "name", "alias", "fuzzy", "postal_code"


@dataclass(frozen=True)
class Resolution:
    status: str  # "found", "ambiguous", "outside", "unknown", "need_full_postal_code"
    place: Place | None = None
    candidates: tuple[Place, ...] = ()
    outside_name: str | None = None
    postal_code: str | None = None


UNKNOWN = Resolution("unknown")


def normalise_postal_code(text: str) -> str | None:
    """ "g0l4k0" -> "G0L 4K0", "g5l" -> "G5L"; None unless the text is a postal code."""
    if not text:
        return None
    match = _POSTAL_RE.fullmatch(str(text).strip())
    if not match:
        return None
    return _format_postal(match)


def _format_postal(match: re.Match) -> str:
    fsa = match.group(1).upper()
    ldu = match.group(2)
    return f"{fsa} {ldu.upper()}" if ldu else fsa


@functools.lru_cache(maxsize=8192)
def _fold_token(token: str) -> tuple[str, ...]:
    return tuple(fold_place(token).split())


def _tokenize(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Words in `fold_place` form, each with the span of the original text it came from."""
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _WORD_RE.finditer(text):
        for word in _fold_token(m.group()):
            words.append(word)
            spans.append(m.span())
    # "n d des neiges", "n.-d.-du-portage": same rule as fold_place.
    if "n" in words:
        i = 0
        while i < len(words) - 1:
            if words[i] == "n" and words[i + 1] == "d":
                words[i : i + 2] = ["notre", "dame"]
                i += 2
            else:
                i += 1
    return words, spans


def _place_key(place: Place) -> tuple:
    return (place.kind, place.mrc_id, place.municipality_id)


@dataclass
class _Entry:
    place: Place
    tier: int
    via: str
    weak: bool


@dataclass(frozen=True)
class _KeyInfo:
    places: tuple[Place, ...] = ()  # in region; several: ambiguous
    via: str = ""
    weak: bool = False
    outside: str | None = None
    tier: int = _TIER_ALIAS + 1


@dataclass(frozen=True)
class _FuzzyKey:
    tokens: tuple[str, ...]
    generic: tuple[bool, ...]
    distinctive: int  # letters in the non-generic words
    has_strong_generic: bool  # "saint", "lac", "mont"… (not a mere article)
    outside: bool


@dataclass
class _Match:
    start: int
    end: int
    info: _KeyInfo
    fuzzy: bool = False
    distance: int = 0

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass
class _Postal:
    prefix: str
    mrc_id: str | None
    municipality_id: str | None
    needs_full_code: bool
    candidate_mrc_ids: tuple[str, ...]


@dataclass
class Gazetteer:
    _mrcs: dict[str, Place] = field(default_factory=dict)
    _municipalities: dict[str, Place] = field(default_factory=dict)
    _postal: dict[str, _Postal] = field(default_factory=dict)
    _outside_postal: dict[str, str] = field(default_factory=dict)
    _index: dict[str, _KeyInfo] = field(default_factory=dict)
    _first_words: set[str] = field(default_factory=set)
    _max_words: int = 1
    _fuzzy: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    _fuzzy_keys: dict[str, _FuzzyKey] = field(default_factory=dict)
    _fuzzy_max_words: int = 1
    _near_words: frozenset[str] = frozenset()

    # --- loading ------------------------------------------------------------

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Gazetteer:
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        gaz = cls()
        entries: dict[str, list[_Entry]] = {}

        def add(text: str, place: Place, tier: int, via: str, weak: bool | None = None) -> None:
            key = fold_place(text)
            words = key.split()
            # "la", "saint", "lac de la" alone name nothing ("Notre-Dame-du-Lac" does).
            if not key or (len(words) == 1 and key in GENERIC_WORDS) or all(w in _FUNCTION_WORDS for w in words):
                return
            is_weak = key in WEAK_KEYS if weak is None else (weak or key in WEAK_KEYS)
            # An alias "Saint-Honoré", "Sainte-Hélène" is also a saint, a feast or a pastry.
            if tier == _TIER_ALIAS and len(words) == 2 and words[0] in ("saint", "sainte") and weak is None:
                is_weak = True
            entries.setdefault(key, []).append(_Entry(place, tier, via, is_weak))

        def add_article_variants(text: str, place: Place, weak: bool | None = None) -> None:
            words = fold_place(text).split()
            if len(words) < 2 or words[0] not in ("la", "le", "les", "l"):
                return
            bare = " ".join(words[1:])
            if bare not in _BARE_SKIP:
                add(bare, place, _TIER_ALIAS, "alias", weak)
            if words[0] == "le":
                add("au " + bare, place, _TIER_ALIAS, "alias", weak)
            elif words[0] == "les":
                add("aux " + bare, place, _TIER_ALIAS, "alias", weak)

        for row in _read_tsv(data_dir / "mrc.tsv"):
            place = Place(kind="mrc", mrc_id=row["id"], mrc_name=row["name"])
            gaz._mrcs[row["id"]] = place
            forms = [row["name"], *_split(row.get("aliases", ""))]
            add(row["name"], place, _TIER_MRC_NAME, "name")
            add_article_variants(row["name"], place)
            for alias in forms[1:]:
                add(alias, place, _TIER_ALIAS, "alias")
                add_article_variants(alias, place)
            for form in forms:
                words = fold_place(form).split()
                if words and words[0] == "mrc":
                    continue
                core = " ".join(words[1:]) if len(words) > 1 and words[0] in ("la", "le", "les", "l") else " ".join(words)
                for prefix in ("mrc ", "mrc de ", "mrc de la ", "mrc des ", "mrc du ", "mrc d ", "mrc de l "):
                    add(prefix + core, place, _TIER_NAME, "name", weak=False)
                add("mrc " + " ".join(words), place, _TIER_NAME, "name", weak=False)

        region = Place(kind="region", mrc_id=None, mrc_name=None)
        for i, name in enumerate(REGION_NAMES):
            add(name, region, _TIER_MRC_NAME, "name" if i == 0 else "alias")

        short_forms: dict[str, list[Place]] = {}
        for row in _read_tsv(data_dir / "municipalities.tsv"):
            mrc = gaz._mrcs[row["mrc_id"]]
            place = Place(
                kind="municipality",
                mrc_id=mrc.mrc_id,
                mrc_name=mrc.mrc_name,
                municipality_id=row["id"],
                municipality_name=row["name"],
            )
            gaz._municipalities[row["id"]] = place
            add(row["name"], place, _TIER_NAME, "name")
            add_article_variants(row["name"], place)
            for alias in _split(row.get("aliases", "")):
                add(alias, place, _TIER_ALIAS, "alias")
                add_article_variants(alias, place)
            # "Saint-Jean-de-Dieu" is also said "Saint-Jean": a weak short form,
            # ambiguous as soon as two official names share it.
            words = fold_place(row["name"]).split()
            if len(words) > 2 and words[0] in ("saint", "sainte") and words[1] not in GENERIC_WORDS:
                short_forms.setdefault(f"{words[0]} {words[1]}", []).append(place)
        for key, places in short_forms.items():
            for place in places:
                add(key, place, _TIER_ALIAS, "alias", weak=True)

        for key, items in entries.items():
            best = min(e.tier for e in items)
            top = [e for e in items if e.tier == best]
            places: dict[tuple, Place] = {}
            for e in top:
                places.setdefault(_place_key(e.place), e.place)
            gaz._index[key] = _KeyInfo(
                places=tuple(places.values()),
                via=top[0].via,
                weak=all(e.weak for e in top),
                tier=best,
            )

        for row in _read_tsv(data_dir / "outside.tsv"):
            for form in [row["name"], *_split(row.get("aliases", ""))]:
                key = fold_place(form)
                if key and key not in gaz._index:
                    gaz._index[key] = _KeyInfo(outside=row["name"])
            for prefix in _split(row.get("postal_prefixes", "")):
                gaz._outside_postal[prefix.upper().replace(" ", "")] = row["name"]

        for row in _read_tsv(data_dir / "postal_codes.tsv"):
            candidates = tuple(_split(row.get("candidate_mrc_ids", "")))
            if not candidates and row.get("mrc_id"):
                candidates = (row["mrc_id"],)
            gaz._postal[row["prefix"].upper()] = _Postal(
                prefix=row["prefix"].upper(),
                mrc_id=row.get("mrc_id") or None,
                municipality_id=row.get("municipality_id") or None,
                needs_full_code=row.get("needs_full_code") in ("1", "true", "oui"),
                candidate_mrc_ids=candidates,
            )

        near_words = data_dir / NEAR_WORDS_FILE
        if near_words.exists():
            gaz._near_words = frozenset(
                line.strip() for line in near_words.read_text(encoding="utf-8").splitlines() if line.strip()
            )
        gaz._build_scan_indexes()
        return gaz

    def _build_scan_indexes(self) -> None:
        for key, info in self._index.items():
            words = key.split()
            self._first_words.add(words[0])
            self._max_words = max(self._max_words, len(words))
            if info.weak or words[0] == "mrc":
                continue
            generic = tuple(w in GENERIC_WORDS for w in words)
            meta = _FuzzyKey(
                tokens=tuple(words),
                generic=generic,
                distinctive=sum(len(w) for w, g in zip(words, generic, strict=False) if not g),
                has_strong_generic=any(w in STRONG_GENERIC_WORDS for w in words),
                outside=info.outside is not None,
            )
            if max(_typo_budget(meta, anchored=True)[0], _typo_budget(meta, anchored=False)[0]) == 0:
                continue
            self._fuzzy_keys[key] = meta
            self._fuzzy.setdefault((len(words), key[0]), []).append(key)
            self._fuzzy_max_words = max(self._fuzzy_max_words, len(words))

    # --- lookups --------------------------------------------------------------

    def municipality(self, municipality_id: str) -> Place | None:
        return self._municipalities.get(municipality_id)

    def mrc(self, mrc_id: str) -> Place | None:
        return self._mrcs.get(mrc_id)

    def all_municipalities(self) -> list[Place]:
        return list(self._municipalities.values())

    def all_mrcs(self) -> list[Place]:
        return list(self._mrcs.values())

    # --- resolution -----------------------------------------------------------

    def resolve(self, text: str) -> Resolution:
        """`text` is meant to be a place name or a postal code alone."""
        try:
            text = _clean(text)
            words, _ = _tokenize(text)
            if not words:
                return UNKNOWN
            info = self._index.get(" ".join(words))
            if info is not None:
                return self._from_info(info, text.strip(), exact=True)
            return self._find(text, relaxed=True)
        except Exception:  # pragma: no cover - a resident's text must never crash the bot
            return UNKNOWN

    def find_in_text(self, text: str) -> Resolution:
        """A place (or postal code) anywhere inside a sentence."""
        try:
            return self._find(_clean(text), relaxed=False)
        except Exception:  # pragma: no cover
            return UNKNOWN

    def _find(self, text: str, relaxed: bool) -> Resolution:
        if not text:
            return UNKNOWN
        postal = self._postal_in_text(text)
        if postal is not None and postal.status == "found":
            return postal
        words, spans = _tokenize(text)
        matches = self._scan(words, relaxed)
        region = [m for m in matches if m.info.places]
        postal_mrcs = {p.mrc_id for p in postal.candidates} if postal is not None else set()
        if region:
            result = self._combine(region, words, spans, text, postal_mrcs)
            if postal is not None and postal.status != "outside":
                result = replace(result, postal_code=postal.postal_code)
            return result
        if postal is not None:
            return postal
        outside = [m for m in matches if m.info.outside]
        if outside:
            return Resolution("outside", outside_name=outside[0].info.outside)
        return UNKNOWN

    def _from_info(self, info: _KeyInfo, matched: str, exact: bool) -> Resolution:
        if info.outside:
            return Resolution("outside", outside_name=info.outside)
        via = info.via if exact else "fuzzy"
        places = [replace(p, matched=matched, via=via) for p in info.places]
        collapsed = self._collapse(places, matched, via)
        if len(collapsed) == 1:
            return Resolution("found", place=collapsed[0])
        return Resolution("ambiguous", candidates=tuple(collapsed[:MAX_CANDIDATES]))

    def _collapse(self, places: list[Place], matched: str, via: str) -> list[Place]:
        """Several places of one MRC: that MRC."""
        if len(places) > 1:
            mrc_ids = {p.mrc_id for p in places}
            if len(mrc_ids) == 1 and None not in mrc_ids:
                return [replace(self._mrcs[next(iter(mrc_ids))], matched=matched, via=via)]
        return places

    # --- scanning ---------------------------------------------------------------

    def _scan(self, words: list[str], relaxed: bool) -> list[_Match]:
        n_words = len(words)
        found: list[_Match] = []
        for i, word in enumerate(words):
            if word not in self._first_words:
                continue
            for n in range(min(self._max_words, n_words - i), 0, -1):
                key = word if n == 1 else " ".join(words[i : i + n])
                info = self._index.get(key)
                if info is None:
                    continue
                if info.weak and not relaxed and not _strong_context(words, i, i + n):
                    continue
                if info.outside and key == "quebec" and i > 0 and words[i - 1] in _PROVINCE_PRECEDERS:
                    continue
                found.append(_Match(i, i + n, info))
                break
        picked = _non_overlapping(found)
        fuzzy = self._fuzzy_scan(words)
        if fuzzy:
            picked = _merge_fuzzy(picked, fuzzy)
        picked.sort(key=lambda m: m.start)
        return picked

    def _fuzzy_scan(self, words: list[str]) -> list[_Match]:
        limit = min(len(words), FUZZY_MAX_WORDS)
        out: list[_Match] = []
        for i in range(limit):
            first = words[i]
            if first in FUZZY_BLOCKED_WORDS:
                continue
            letters = 0
            for n in range(1, min(self._fuzzy_max_words, limit - i) + 1):
                word = words[i + n - 1]
                if n > 1 and word in FUZZY_BLOCKED_WORDS:
                    break
                letters += len(word)
                if letters < FUZZY_MIN_LETTERS:
                    continue
                bucket = self._fuzzy.get((n, first[0]))
                if not bucket:
                    continue
                query = first if n == 1 else " ".join(words[i : i + n])
                if query in self._index:
                    continue
                match = self._fuzzy_lookup(query, words[i : i + n], bucket)
                if match is not None:
                    info, distance = match
                    out.append(_Match(i, i + n, info, fuzzy=True, distance=distance))
        return out

    def _fuzzy_lookup(self, query: str, query_words: list[str], bucket: list[str]) -> tuple[_KeyInfo, int] | None:
        hits = process.extract(query, bucket, scorer=OSA.distance, score_cutoff=2, limit=None)
        best: int | None = None
        keys: list[str] = []
        for key, _, _ in hits:
            distance = self._typo_distance(query_words, self._fuzzy_keys[key])
            if distance is None:
                continue
            if best is None or distance < best:
                best, keys = distance, [key]
            elif distance == best:
                keys.append(key)
        if best is None:
            return None
        infos = [self._index[k] for k in keys]
        # Equally close: an official name beats an alias ("matanne": Matane, not Matanie).
        top_tier = min(info.tier for info in infos)
        infos = [info for info in infos if info.tier == top_tier]
        region_infos = [info for info in infos if info.places]
        if not region_infos:
            return infos[0], best
        places: dict[tuple, Place] = {}
        for info in region_infos:
            for p in info.places:
                places.setdefault(_place_key(p), p)
        return _KeyInfo(places=tuple(places.values()), via="fuzzy"), best

    def _combine(
        self,
        region: list[_Match],
        words: list[str],
        spans: list[tuple[int, int]],
        text: str,
        postal_mrcs: set,
    ) -> Resolution:
        sets: list[list[Place]] = []
        for m in region:
            matched = text[spans[m.start][0] : spans[m.end - 1][1]].strip()
            via = "fuzzy" if m.fuzzy else m.info.via
            places = [replace(p, matched=matched, via=via) for p in m.info.places]
            sets.append(self._collapse(places, matched, via))
        anchors = {s[0].mrc_id for s in sets if len(s) == 1 and s[0].mrc_id}
        distinct: dict[tuple, Place] = {}
        for places in sets:
            if len(places) > 1:
                for keep in (anchors, postal_mrcs):
                    narrowed = [p for p in places if p.mrc_id in keep]
                    if narrowed:
                        places = narrowed
                if len(places) > 1:
                    places = self._collapse(places, places[0].matched, places[0].via)
            for p in places:
                distinct.setdefault(_place_key(p), p)
        found = list(distinct.values())
        if len(found) == 1:
            return Resolution("found", place=found[0])
        local = [p for p in found if p.kind != "region"] or found
        mrc_ids = {p.mrc_id for p in local}
        if len(mrc_ids) == 1:
            towns = [p for p in local if p.kind == "municipality"]
            return Resolution("found", place=(towns or local)[0])
        return Resolution("ambiguous", candidates=tuple(local[:MAX_CANDIDATES]))

    def _typo_distance(self, query_words: list[str], meta: _FuzzyKey) -> int | None:
        """Edits between a typed n-gram and a name, if they are within the name's budget."""
        anchored = False
        distance = 0
        changed: list[tuple[str, str]] = []
        for q, k, g in zip(query_words, meta.tokens, meta.generic, strict=False):
            if q == k:
                anchored = anchored or not g
                continue
            if g:  # "saint", "de", "lac"… must be typed as such
                return None
            changed.append((q, k))
            distance += OSA.distance(q, k)
        if not changed:
            return None
        budget, no_substitution = _typo_budget(meta, anchored)
        if distance > budget:
            return None
        if anchored:
            return distance
        for q, k in changed:
            # A real French word is not a typo ("les auteurs" is not Les Hauteurs).
            if q in self._near_words or q in FUZZY_BLOCKED_WORDS:
                return None
            if no_substitution and Indel.distance(q, k) > 1 and sorted(q) != sorted(k):
                return None
        return distance

    # --- postal codes -------------------------------------------------------------

    def _postal_in_text(self, text: str) -> Resolution | None:
        first: Resolution | None = None
        for m in _POSTAL_RE.finditer(text):
            result = self._resolve_postal(_format_postal(m))
            if result.status == "found":
                return result
            if first is None or (first.status == "outside" and result.status != "outside"):
                first = result
        return first

    def _resolve_postal(self, code: str) -> Resolution:
        fsa = code[:3]
        full = len(code) == 7
        exact = self._postal.get(code) if full else None
        rec = exact or self._postal.get(fsa)
        if rec is not None:
            if not rec.needs_full_code:
                if rec.municipality_id and rec.municipality_id in self._municipalities:
                    place = self._municipalities[rec.municipality_id]
                else:
                    place = self._mrcs[rec.mrc_id]
                return Resolution("found", place=replace(place, matched=code, via="postal_code"), postal_code=code)
            candidates = tuple(
                replace(self._mrcs[i], matched=code, via="postal_code") for i in rec.candidate_mrc_ids if i in self._mrcs
            )
            # A full rural code we do not know: ask for the town among these MRC.
            status = "ambiguous" if full else "need_full_postal_code"
            return Resolution(status, candidates=candidates, postal_code=code)
        name = None
        for length in (3, 2, 1):
            name = self._outside_postal.get(fsa[:length])
            if name:
                break
        return Resolution("outside", outside_name=name or code, postal_code=code)


def _typo_budget(meta: _FuzzyKey, anchored: bool) -> tuple[int, bool]:
    """How many edits a name tolerates, and whether a replaced letter counts as a typo.

    anchored: another distinctive word of the name was typed exactly
    ("st-jean de dieux"), which makes a near miss much more likely to be a typo.
    """
    length = meta.distinctive
    cap = 1 if meta.outside else 2
    if anchored:
        return min(cap, 2 if length >= 12 else 1 if length >= 6 else 0), False
    if length >= 12:
        return min(cap, 2), False
    if length >= 8:
        return 1, False
    # "matanne" is Matane, but "matant" or "beauté" are words: no replaced letter.
    if length >= 6 or (length >= 4 and meta.has_strong_generic):
        return 1, True
    return 0, True


def _strong_context(words: list[str], start: int, end: int) -> bool:
    if start == 0 or words[start - 1] in LOCATIVE_WORDS:
        return True
    return words[start - 1] in _OF_WORDS and start >= 2 and words[start - 2] in _BEFORE_OF_WORDS


def _non_overlapping(matches: list[_Match]) -> list[_Match]:
    picked: list[_Match] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-m.size, m.start)):
        span = range(m.start, m.end)
        if taken.isdisjoint(span):
            picked.append(m)
            taken.update(span)
    return picked


def _merge_fuzzy(exact: list[_Match], fuzzy: list[_Match]) -> list[_Match]:
    """A fuzzy match is kept where nothing matched exactly, or where it covers more words."""
    picked = list(exact)
    for f in sorted(fuzzy, key=lambda m: (-m.size, m.distance, m.start)):
        overlapping = [m for m in picked if m.start < f.end and f.start < m.end]
        if not overlapping:
            picked.append(f)
            continue
        if all(not m.fuzzy and f.start <= m.start and m.end <= f.end and m.size < f.size for m in overlapping):
            for m in overlapping:
                picked.remove(m)
            picked.append(f)
    return picked


def _clean(text) -> str:
    if text is None:
        return ""
    text = str(text)[:MAX_TEXT_CHARS]
    return unicodedata.normalize("NFC", text)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle, delimiter="\t")]


@functools.lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load()


def build_near_words(dictionary: Path, data_dir: Path | None = None) -> list[str]:
    """Dictionary words (folded) within typo reach of a distinctive word of a place name.

    `dictionary`: one word a line, e.g. /usr/share/dict/french (Debian package wfrench).
    """
    gaz = Gazetteer.load(data_dir)
    reach: dict[str, int] = {}
    for meta in gaz._fuzzy_keys.values():
        for word, generic in zip(meta.tokens, meta.generic, strict=False):
            if not generic:
                reach[word] = max(reach.get(word, 0), 2 if meta.distinctive >= 12 else 1)
    known = set(reach)
    targets = sorted(reach)
    near: set[str] = set()
    with Path(dictionary).open(encoding="utf-8", errors="ignore") as handle:
        words = {part for line in handle for part in fold(line).split() if part.isalpha() and len(part) >= 3}
    for word in words - known:
        for target, distance, _ in process.extract(word, targets, scorer=OSA.distance, score_cutoff=2, limit=None):
            if distance <= reach[target]:
                near.add(word)
                break
    return sorted(near)


def _main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "near-words":
        words = build_near_words(Path(argv[1]))
        (DATA_DIR / NEAR_WORDS_FILE).write_text("\n".join(words) + "\n", encoding="utf-8")
        print(f"{len(words)} mots écrits dans {DATA_DIR / NEAR_WORDS_FILE}")
        return 0
    print("usage: python -m directory.gazetteer near-words /usr/share/dict/french")
    return 2


__all__ = [
    "Gazetteer",
    "Place",
    "Resolution",
    "build_near_words",
    "default_gazetteer",
    "normalise_postal_code",
]


if __name__ == "__main__":  # pragma: no cover
    import sys

    raise SystemExit(_main(sys.argv[1:]))

