"""Crisis detection that always wins over the statistical classifier.

`detect_crisis` is a pure function over high-precision patterns written on the
folded text (lowercase, no accents, punctuation turned into spaces, see
`directory.text.fold`), so "J'veux pu vivre!!" is matched as "j veux pu vivre".
It covers Québec French, joual and SMS spellings.

`CrisisOverride` is a Rasa 3.6 graph component placed after DIETClassifier
and before FallbackClassifier: when `detect_crisis` fires it forces the crisis
intent with confidence 1.0, whatever DIET predicted, so the crisis rules in
data/rules.yml answer at once. DIET is also trained on the three crisis
intents; the patterns are the safety net, not the only detector.

Order of precedence when several families match: medical (an emergency in
progress: 911 now), then violence, then suicide. "J'ai pris trop de pilules
pour en finir" is a medical emergency first.

The patterns favour precision: hyperboles and idioms ("tuer le temps", "je
meurs de faim", "mort de rire", "frapper à la porte", "la violence à la télé",
"ça me tue", "respire par le nez") must not fire. A crisis answer to a
non-crisis message is gentle but derails the conversation, so a pattern is
only added when the phrase is an unambiguous crisis signal.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from directory.text import fold

CRISIS_SUICIDE = "crisis_suicide"
CRISIS_VIOLENCE = "crisis_violence"
CRISIS_MEDICAL = "crisis_medical"
CRISIS_INTENTS = (CRISIS_SUICIDE, CRISIS_VIOLENCE, CRISIS_MEDICAL)

# --------------------------------------------------------------------------
# Shared fragments (all on folded text: [a-z0-9 ] only)
# --------------------------------------------------------------------------
_NO_MORE = r"(?:pu|plus|pus|pas|p)"
# First-person wish / intention: "je veux", "jveux", "j'vas", "je vais", "envie de".
_I_WANT = (
    r"(?:\bj?(?:veux|veu|vx|ve|vais|vai)\b|\b(?:j|je) ?(?:va|vas)\b|\bvoudrais\b|\baimerais\b"
    r"|\benvie (?:de|d)\b|\bgout (?:de|d)\b|\bgoute (?:de|d)\b|\bpense (?:a|de)\b|\bsonge a\b"
    r"|\bpret e? a\b|\bdecide e? de\b|\bvas? finir par\b|\btente de\b|\bessaye de\b|\bessayer de\b"
    r"|\bessaie de\b|\bcapable de\b|\bm en vais\b|\bmen vais\b)"
)
# Third-person wish / threat about oneself: "il veut se tuer", "elle parle de mourir".
_THEY_WANT = (
    r"(?:\bveut\b|\bveulent\b|\bva\b|\bparle (?:de|d)\b|\bpense a\b|\bmenace (?:de|d)\b"
    r"|\bessaye de\b|\ba essaye de\b|\btente de\b|\ba tente de\b|\benvie (?:de|d)\b)"
)
_SELF_HARM_OBJECT = (
    r"(?:tuer|tue|suicider|enlever la vie|oter la vie|pendre|faire du mal|faire mal"
    r"|ouvrir les veines|couper les veines|tirer une balle(?! dans (?:le|les) pied))"
)
_RELATIVE = (
    r"(?:chum|mari|conjoint|conjointe|ex|copain|copine|blonde|femme|boyfriend|bf|partenaire"
    r"|pere|mere|beau pere|belle mere|fils|fille|frere|soeur|coloc|colocataire|gars|petit ami"
    r"|petite amie|amoureux|amoureuse|garcon|oncle|voisin|proprio|boss|patron)"
)
_HURT = (
    r"(?:frapp\w*|bat|bats|battre|battu|battue|battus|cogn\w*|etrangl\w*|brutalis\w*|violent\w*"
    r"|viol|viole|violee|violer|agress\w*|tapoch\w*|tape dessus|tapait dessus|fesse dessus"
    r"|fess\w*|bless\w*|brul\w*|sequestr\w*|enferm\w*|tire les cheveux|crache dessus"
    r"|lance des affaires|garroche des affaires)"
)
_PAST_EVENT = re.compile(
    r"\b(?:l an passe|l annee passee|l annee derniere|l an dernier|le mois passe|le mois dernier"
    r"|la semaine passee|la semaine derniere|il y a \w+ (?:ans?|mois|semaines?)"
    r"|y a \w+ (?:ans?|mois|semaines?)|depuis (?:son|sa|mon|ma)|depuis qu|en (?:19|20)\d\d"
    r"|apres (?:son|sa|mon|ma)|suite a (?:son|sa|mon|ma)|a la suite (?:de|d))\b"
)

# --------------------------------------------------------------------------
# Medical emergencies in progress
# --------------------------------------------------------------------------
# Events a resident may mention as history ("il a fait un AVC l'an passé, y a
# tu des repas?"): ignored when a past-time marker is present.
_MEDICAL_EVENT = [
    r"\b(?:crise|attaque) cardiaque\b",
    r"\barret cardiaque\b",
    r"\bcrise de coeur\b",
    r"\b(?:overdose|overdoze|surdose|over dose)\b",
    r"\bune od\b",
    r"\bavc\b",
    r"\baccident vasculaire\b",
    r"\battaque cerebrale\b",
]
_MEDICAL_NOW = [
    # breathing ("respire par le nez" = calm down: not matched)
    r"\brespire (?:pu|plus|pus|pas|presque pas|presque plus|presque pu|difficilement)\b",
    r"\b(?:capable|arrive|peut|peux) " + _NO_MORE + r" (?:a |de )?respirer\b",
    r"\b" + _NO_MORE + r" (?:capable|capables|cap) (?:de |d )?(?:respirer|se relever)\b",
    r"\bs (?:est )?etouff\w*",
    r"\b(?:misere|difficulte|difficultes|mal) a respirer\b",
    r"\brespire mal\b",
    # consciousness
    r"(?<!c est )(?<!cest )\binconscient\w*\b(?! (?:de|du|des|d)\b)",
    r"\b(?:perdu|perd|perdre|perdent|perdait) connaissance\b",
    r"\bsans connaissance\b",
    r"\breagit " + _NO_MORE + r"\b",
    r"\bse reveille (?:pu|plus)\b",
    r"\bs est effondree?\b",
    r"\bs effondre\b",
    r"\b(?:fait|faire|fais) un malaise\b",
    r"\burgence medicale\b",
    r"\b(?:appel\w*|composer|compose|faites|faire|fais) (?:le )?911\b",
    # stroke signs
    r"\bparalys\w* d un (?:cote|bord)\b",
    r"\bbouche croche\b",
    r"\b(?:engourdissement du|engourdie? au|engourdie? dans le) visage\b",
    # bleeding
    r"\bsaign\w* (?:beaucoup|abondamment|en masse|ben gros|bien gros|gros|vraiment|trop|sans arret"
    r"|pas mal|fort|enormement|de partout|comme un|comme une)\b",
    r"\bhemorrag\w*",
    r"\bpisse le sang\b",
    r"\bsang partout\b",
    r"\b(?:perd|perdu|perdre) (?:beaucoup )?(?:de|du) sang\b",
    r"\barret\w* " + _NO_MORE + r" de saigner\b",
    # chest pain
    r"\b(?:douleur|douleurs|mal|serrement|pression|point|serre)\w*(?: \w+)? (?:a|dans|au niveau de) la poitrine\b",
    r"\bmal (?:au|dans le) bras gauche\b",
    r"\bdouleurs? thoracique",
    # seizures, allergy, poisoning, pills
    r"\bconvuls\w*",
    r"\bcrise d epilep\w*",
    r"\bchoc anaphylact\w*",
    r"\breaction allergique (?:grave|severe|forte)\b",
    r"\bgorge (?:qui )?enfl\w*",
    r"\b(?:s est|est|a ete|suis|chu|me suis) (?:fait )?empoisonn\w*",
    r"\b(?:pris|avale|avalee|avaler|prendre|bu)\b(?: \w+){0,3} (?:trop de (?:pilules|pillules|comprimes"
    r"|medicaments|medocs|cachets|pills|tylenol|advil)|(?:toute|toutes|la|une|sa|ma|mes|ses) "
    r"(?:bouteille|boite|pot|plaquette)s? (?:de |d )?(?:pilules|pillules|comprimes|medicaments|medocs"
    r"|cachets|tylenol|advil))",
    r"\b(?:pilules|pillules|comprimes|medicaments|cachets) d un coup\b",
    r"\b(?:pris|avale|avalee|avaler|prendre)\b(?: \w+){0,2} (?:plein|un paquet|une poignee|une gang|toute une"
    r"|beaucoup|une grosse quantite) (?:de |d )(?:pilules|pillules|comprimes|medicaments|medocs|cachets|pills)\b",
    r"\bpris trop de (?:drogue|dope|fentanyl|speed|crystal)\b",
    r"\bpris du fentanyl\b",
    # falls
    r"\b(?:peut|capable|arrive) " + _NO_MORE + r" (?:a |de )?se relever\b",
    r"\bse releve (?:pu|plus|pas)\b",
    r"\b(?:besoin d|appel\w*|envoyez|envoie|envoyer) (?:une |l |d )?ambulance\b",
]

# --------------------------------------------------------------------------
# Violence (conjugal, family, sexual, threats)
# --------------------------------------------------------------------------
_VIOLENCE = [
    r"\bviolence (?:conjugal\w*|familial\w*|domestique|sexuel\w*|a la maison|chez (?:nous|moi|nous autres)"
    r"|de mon|de ma|de la part)\b",
    r"\bvictimes? (?:de|d) (?:violence|viol|agression|abus)\b",
    r"\b(?:subi|subis|subit|vis|vit|vivre|vecu|vivais|endure) (?:de la|d la|la) violence\b",
    # "il me frappe", "y m'a battue", "elle me bat", "on m'a agressée"
    r"\b(?:il|elle|y|i|yl|ils|on)\s+(?:me|m)\s+(?:a\s+|ont\s+|avait\s+)?"
    r"(?:encore\s+|souvent\s+|toujours\s+|tout le temps\s+|deja\s+|encore une fois\s+)?" + _HURT + r"\b",
    # "mon chum me frappe", "mon ex m'a étranglée", "mon chum me fait peur"
    r"\b(?:mon|ma|mes)\s+" + _RELATIVE + r"\s+(?:\w+\s+){0,2}?(?:me|m)\s+(?:a\s+)?"
    r"(?:encore\s+|souvent\s+|toujours\s+|deja\s+)?(?:" + _HURT + r"|fait mal|fait du mal|fait peur"
    r"|pouss\w*|menac\w*)\b",
    r"\bpeur (?:de|d) (?:mon|ma) " + _RELATIVE + r"\b",
    r"\bpeur (?:qu il|qu elle|quil|qui|qu y|qu i) (?:\w+ ){0,2}(?:me|m) (?:frappe|batte|tue|fasse mal"
    r"|fasse du mal|etrangle|retrouve)\b",
    r"\bpeur pour ma (?:vie|securite|peau)\b",
    r"\bpeur (?:de|d) (?:rentrer|retourner) chez (?:nous|moi|nous autres)\b",
    r"\bmenac\w* (?:de|d) (?:me|m) (?:tuer|frapper|battre|faire mal|faire du mal|tirer|egorger)\b",
    r"\bmenac\w* avec (?:un|une|son|sa) (?:couteau|arme|fusil|gun|hache|batte)\b",
    r"\b(?:il|elle|y|i|yl|mon " + _RELATIVE + r"|ma " + _RELATIVE + r")\s+(?:va|vas|veut|voulait"
    r"|a dit qu il (?:va|allait)|dit qu il va)\s+(?:me|m)\s+(?:tuer|tue|frapper|battre|faire du mal"
    r"|faire mal|egorger|tirer)\b",
    r"\b(?:me|se) (?:fais|fait|suis fait|suis faite|faisais|faisait|est fait|est faite) (?:encore |souvent )?(?:battre|frapper|taper dessus|violenter"
    r"|agresser|brasser|tabasser|violer|etrangler)\b",
    r"\b(?:frappe|bat|battre|frapper|maltrait\w*|brutalis\w*) (?:mes|les|nos|ses|sa|ma) "
    r"(?:enfants|kids|jeunes|filles|petits|bebe|bebes|femme|blonde|conjointe|mere|fille|fils)\b",
    r"\b(?:mon|ma) " + _RELATIVE + r" (?:est )?(?:tres |vraiment )?violente?\b",
    r"\b(?:mari|chum|conjoint|ex|copain|pere|boyfriend) violent\b",
    r"\b(?:il|elle|y|i) est violente? avec (?:moi|nous|les enfants)\b",
    r"\bfemmes? violentee?s?\b",
    r"\bmaison d hebergement (?:pour femmes|violence)\b",
    r"\b(?:chu|suis|jsuis) (?:battue|violentee)\b",
    r"\b(?:il|elle|y|i) (?:me|m) fait peur\b",
    r"\b(?:qu il|quil|qu elle|qui) (?:allait|va|vas|irait|voulait) (?:me|m) (?:tuer|frapper|battre|etrangler)\b",
    r"\b(?:garde|tient|garder) enfermee?\b",
    r"\bforce a (?:avoir des relations|coucher|faire l amour)\b",
    r"\brelations? (?:sexuelles? )?forcee?s?\b",
    r"\bme cache de (?:mon|ma) " + _RELATIVE + r"\b",
    r"\babus\w* (?:sexuel\w*|physique\w*)\b",
    r"\babuse de moi\b",
    r"\bserr\w* (?:le|la|mon|ma) (?:cou|gorge)\b",
    r"\bmains? autour (?:du|de mon|de ma) (?:cou|gorge)\b",
    r"\bmenac\w* de mort\b",
    r"\bagression sexuelle\b",
    r"\bagress\w* sexuellement\b",
    r"\bviol\b",
]

# --------------------------------------------------------------------------
# Suicide and self-harm
# --------------------------------------------------------------------------
_SUICIDE = [
    r"\b(?:suicid|suicd|sucid|suisid|suicyd|suiscid)\w*",
    r"\bidees? noires?\b",
    # "je veux me tuer", "jvais me suicider", "j ai envie de me faire du mal"
    _I_WANT + r"\s+(?:\w+\s+){0,2}?(?:me|m)\s+" + _SELF_HARM_OBJECT + r"\b",
    # "il veut se tuer", "ma fille parle de mourir"
    _THEY_WANT + r"\s+(?:\w+\s+){0,1}?(?:se|s)\s+(?:tuer|suicider|enlever la vie|oter la vie|pendre"
    r"|tirer une balle(?! dans (?:le|les) pied))\b",
    r"\bparle (?:de|d) (?:mourir|en finir)\b",
    # "je veux mourir", "jveux crever", "j ai envie de mourir" (not "mourir de rire")
    r"(?:\bj?(?:veux|veu|vx|ve)\b|\bvoudrais\b|\baimerais\b|\baimerai\b|\benvie (?:de|d)\b"
    r"|\bgout (?:de|d)\b|\bgoute (?:de|d)\b|\bsouhaite\b|\bprefererais\b|\bpense a)\s+"
    r"(?:juste\s+|seulement\s+|tellement\s+|vraiment\s+|tout le temps\s+)?(?:mourir|mourrir|crever"
    r"|disparaitre pour (?:toujours|de bon))\b(?! de (?:rire|faim|honte|froid|chaleur|fatigue))",
    # "je veux pu vivre", "pu capable de vivre", "plus le gout de vivre"
    r"\bj?(?:veux|veu|vx|ve|voudrais)\s+" + _NO_MORE + r"\s+(?:vivre|etre en vie|etre sur la terre|exister)\b",
    r"\b" + _NO_MORE + r"\s+(?:capable|capables|capab|cap|la force|l energie|le gout|gout|envie|de raison"
    r"|de raisons|aucune raison)\s+(?:de\s+|d\s+)?(?:vivre|continuer a vivre|rester en vie|etre en vie)\b",
    r"\baucune raison de vivre\b",
    r"\bvie (?:ne )?vaut (?:pu|plus|pas|rien)\b",
    r"\bvaut " + _NO_MORE + r" la peine (?:de vivre|d etre en vie|de continuer)\b",
    # "en finir" (not "hâte d'en finir", not "en finir avec ce dossier")
    r"(?<!hate d )(?<!hate de )\ben finir\b(?! avec\b)",
    r"\ben finir avec (?:la vie|ma vie|tout|toute|moi|mes jours|cette vie|l existence|ca|sa)\b",
    r"\b(?:mettre|mette|mis|met|mets|metre) fin a (?:mes jours|ma vie|mon existence|tout)\b",
    r"\b(?:m|me) (?:enlever|oter|enleve|ote) la vie\b",
    r"\b(?:me|m) (?:jeter|lancer|garrocher|pitcher|jette|lance) (?:en bas|du haut|devant|sous|dans le fleuve"
    r"|a l eau|du pont)\b",
    r"\bmieux (?:mort|morte|morts|sans moi)\b",
    r"\blettres? d adieu\b",
    r"\b(?:j ai|jai|je me suis|je me suis deja) (?:\w+ ){0,6}?pour (?:me|m) (?:tuer|suicider|enlever la vie|pendre)\b",
    r"\b(?:pilules|medicaments|corde|fusil|arme) pour mourir\b",
    r"\bplanifi\w* (?:ma mort|mon suicide)\b",
    r"\b(?:plan|corde|moyen|moyens|pilules) pour (?:me|m) (?:tuer|pendre|suicider|enlever la vie)\b",
    r"\bme pendre\b(?! (?:a|au) )",
    r"\bsauter (?:en bas d\w*|du haut d\w*|du|d un) (?:pont|edifice|falaise|building|toit|quai|cap)\b",
    _I_WANT + r"\s+(?:pu|plus|pus|jamais)\s+me reveiller\b",
    r"\b(?:endormir|dormir) (?:pis|et) (?:jamais|pu|plus|pus) (?:me )?reveiller\b",
    r"\b(?:suis|chu|sens|jsuis) (?:juste )?(?:un|comme un) fardeau\b",
    r"\ba quoi (?:ca|sa) sert (?:de|d) (?:vivre|continuer)\b",
    r"\b(?:pu|plus|pus) rien qui me retient\b",
    r"\bme (?:coupe|couper|taillade|taillader) (?:les|mes) (?:bras|poignets|veines|cuisses)\b",
    r"\b(?:je|jme|j) ?me fais du mal\b",
    r"\b(?:m|me) (?:automutil\w*|auto mutil\w*|mutil\w*|scarifi\w*)",
    r"\bautomutil\w*",
    r"\bscarifi\w*",
]

_COMPILED = {
    "medical_event": [re.compile(p) for p in _MEDICAL_EVENT],
    "medical_now": [re.compile(p) for p in _MEDICAL_NOW],
    "violence": [re.compile(p) for p in _VIOLENCE],
    "suicide": [re.compile(p) for p in _SUICIDE],
}


def _any(patterns: List[re.Pattern], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def detect_crisis(text: str) -> Optional[str]:
    """The crisis intent a message expresses, or None.

    Returns "crisis_medical", "crisis_violence" or "crisis_suicide" (in this
    order of precedence when several match).
    """
    folded = fold(text or "")
    if not folded:
        return None
    if _any(_COMPILED["medical_now"], folded):
        return CRISIS_MEDICAL
    if _any(_COMPILED["medical_event"], folded) and not _PAST_EVENT.search(folded):
        return CRISIS_MEDICAL
    if _any(_COMPILED["violence"], folded):
        return CRISIS_VIOLENCE
    if _any(_COMPILED["suicide"], folded):
        return CRISIS_SUICIDE
    return None


# --------------------------------------------------------------------------
# Rasa graph component
# --------------------------------------------------------------------------


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisOverride(GraphComponent):
    """Forces the crisis intent (confidence 1.0) when `detect_crisis` fires.

    The other intents stay in the ranking, after the crisis intent, with
    confidence 0.0, so that FallbackClassifier's ambiguity check (top two
    confidences too close) can never turn a crisis into nlu_fallback.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CrisisOverride":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            crisis = detect_crisis(message.get(TEXT) or "")
            if crisis is not None:
                self._override(message, crisis)
        return messages

    @staticmethod
    def _override(message: Message, crisis: str) -> None:
        forced = {INTENT_NAME_KEY: crisis, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            {**entry, PREDICTED_CONFIDENCE_KEY: 0.0}
            for entry in (message.get(INTENT_RANKING_KEY) or [])
            if entry.get(INTENT_NAME_KEY) != crisis
        ]
        message.set(INTENT, forced, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(forced)] + ranking, add_to_output=True)
