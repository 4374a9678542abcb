"""Crisis detection that always wins over the statistical classifier.

`detect_crisis` is a pure function over high-precision patterns written on the
folded text (lowercase, no accents, punctuation turned into spaces, see
`directory.text.fold`), so "J'veux pu vivre!!" is matched as "j veux pu vivre".
It covers Québec French, joual and SMS spellings.

`CrisisOverride` is a Rasa 3.6 graph component placed after DIETClassifier
and before FallbackClassifier: it decides, from the patterns and DIET's guess,
whether the turn is a crisis (its docstring states the rule), so the crisis
rules in data/rules.yml answer at once, at any point of a conversation (a
crisis after a need is never read as goodbye or thanks).

`known_idiom` is the other side of the patterns: hyperboles and idioms that
sound like a crisis and are not ("je meurs de faim", "ça me tue", "mon char
est mort", "this traffic is killing me"). A statistical classifier trained on
crisis sentences confuses them; the override never lets such a message become
a crisis unless a crisis pattern fires on it too.

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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from directory.text import fold

from .stateless import StatelessComponent

CRISIS_SUICIDE = "crisis_suicide"
CRISIS_VIOLENCE = "crisis_violence"
CRISIS_MEDICAL = "crisis_medical"
CRISIS_HEALTH = "crisis_health"
CRISIS_INTENTS = (CRISIS_SUICIDE, CRISIS_VIOLENCE, CRISIS_MEDICAL, CRISIS_HEALTH)

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
    r"|lance des affaires|garroche des affaires|tabass\w*|claqu\w*|donne (?:une|des) (?:claques?|coups?|volee|taloches?)"
    r"|donne des coups|casse (?:le|la|les|mon|ma) (?:bras|jambe|nez|cotes?|machoire|doigts?|poignet))"
)
# "il m'a battue aux cartes", "ma soeur m'a battu au Monopoly": a game, not violence
_NOT_A_GAME = (
    r"(?! (?:aux?|a la|au|en) (?:cartes|echecs|dames|jeux?|hockey|tennis|poker|bingo|scrabble|golf|badminton|ping pong"
    r"|monopoly|quilles|bowling|dards|course|crib|cribbage|whist|charade|sudoku|mots croises|jeux video)\b)"
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
    r"\b(?:overdose|overdoze|surdose|over dose)\b(?! (?:de|d) (?!fentanyl|drogue|pilules|medicaments|heroine|opioides|dope"
    r"|speed|crystal|coke|cocaine|meth))",
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
    r"\bse reveille (?:pu|plus|pas)\b(?! (?:le matin|avant|tot|a temps|pour|assez))",
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
    r"(?<!c est une )(?<!cest une )\bhemorrag\w*",
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
    # swallowed something dangerous (a child, a relative): "j'ai avalé mes pilules" is not
    r"(?<!j ai )(?<!jai )\bavalee? (?:les|des|toutes les|plein de|une poignee de|une bouteille de) (?:pilules|pillules"
    r"|comprimes|medicaments|cachets)\b",
    r"\b(?:avale|avalee|bu|boit|mange)\w* (?:des |du |de l |de la |d )?(?:produits? menagers?|produits? nettoyants?"
    r"|eau de javel|javel|lave glace|lave vitre|lave vaisselle|antigel|poison|pesticides?|detergent|pods? de lavage)\b",
    # turning blue
    r"\b(?:levres|visage|bebe|il|elle|lui)\b(?: \w+){0,2} (?:tout |toute )?bleue?s?\b(?! (?:marine|pale|ciel|poudre))",
    # a fire or a danger in progress
    r"\b(?:y a|il y a|ya) le feu (?:chez|dans|a la maison|au|a l)\b",
    r"\b(?:maison|appart|appartement|logement|bloc) (?:est |qui est )?en feu\b",
    r"\b(?:suis|sommes|chu|jsuis|est|sont) en danger (?:en ce moment|maintenant|tout de suite|la|immediat)\b",
    # English
    r"\b(?:can t|cant|cannot|not|isn t|isnt|is not|stopped) breath(?:e|ing)\b",
    r"\b(?:is|he s|she s|hes|shes) unconscious\b",
    r"\bpassed out\b",
    r"\bheart attack\b",
    r"\bhaving a stroke\b",
    r"\bbleeding (?:a lot|badly|heavily)\b",
    r"\bcall (?:an|the) ambulance\b",
    r"\bseizure\b",
]

# --------------------------------------------------------------------------
# Violence (conjugal, family, sexual, threats)
# --------------------------------------------------------------------------
_VIOLENCE = [
    r"\bviolence (?:a la maison|chez (?:nous|moi|nous autres)|de mon|de ma|de la part)\b",
    r"\b(?:chez (?:nous|moi|nous autres)|a la maison)\b(?: \w+){0,3} (?:la |de la )?violence\b(?! (?:a la tele|dans les))",
    r"\b(?:mon|ma) " + _RELATIVE + r"\b(?: \w+){0,2} (?:est |devient |peut etre )(?:\w+ )?dangereu(?:x|se)\b",
    r"\bvictimes? (?:de|d) (?:violence|viol|agression|abus)\b",
    r"\b(?:subi|subis|subit|vis|vit|vivre|vecu|vivais|endure) (?:de la|d la|la) violence\b",
    # "il me frappe", "y m'a battue", "elle me bat", "on m'a agressée"
    r"\b(?:il|elle|y|i|yl|ils|on)\s+(?:me|m|nous)\s+(?:a\s+|ont\s+|avait\s+)?"
    r"(?:encore\s+|souvent\s+|toujours\s+|tout le temps\s+|deja\s+|encore une fois\s+)?" + _HURT + r"\b" + _NOT_A_GAME,
    # "mon chum me frappe", "mon ex m'a étranglée", "mon chum me fait peur"
    r"\b(?:mon|ma|mes)\s+" + _RELATIVE + r"\s+(?:\w+\s+){0,4}?(?:me|m|nous)\s+(?:a\s+)?"
    r"(?:encore\s+|souvent\s+|toujours\s+|deja\s+)?(?:" + _HURT + r"|fait mal|fait du mal|fait peur"
    r"|pouss\w*|menac\w*)\b" + _NOT_A_GAME,
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
    r"|agresser|brasser|tabasser|violer|etrangler)\b"
    r"(?! aux? (?:cartes|echecs|dames|jeux?|hockey|tennis|poker|bingo|scrabble|golf|badminton|ping)\b| \d)",
    r"\b(?:frappe|bat|battre|frapper|maltrait\w*|brutalis\w*) (?:mes|les|nos|ses|sa|ma) "
    r"(?:enfants|kids|jeunes|filles|petits|bebe|bebes|femme|blonde|conjointe|mere|fille|fils)\b",
    r"\b(?:mon|ma) " + _RELATIVE + r" (?:est |etait |devient |est devenue? |est rendue? |a ete )?(?:tres |vraiment |encore )?"
    r"violente?\b",
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
    r"\bpogne\w* (?:par|a) (?:le|la) (?:cou|gorge)\b",
    r"\b(?:marques|bleus|ecchymoses)\b(?: \w+){0,4} a cause (?:de|d) (?:mon|ma|lui|elle)\b",
    r"\btir\w* (?:par )?les cheveux\b",
    r"\b(?:pas|pu|plus) en securite\b(?: \w+){0,6} (?:a cause (?:de|d)|avec) (?:mon|ma|lui|elle)\b",
    r"\ben danger avec (?:mon|ma) " + _RELATIVE + r"\b",
    r"\b(?:touche|touchee|tripot\w*|attouch\w*) (?:ma|mon|mes) (?:fille|fils|enfants?|petite?s?|ado|ados)\b",
    r"\b(?:lance|lancee|pousse|poussee|cogne|cognee|garroche|garrochee|projete|projetee)\w* (?:contre|dans) (?:le|les|un|une)"
    r" (?:mur|murs|porte|marches|escaliers?|comptoir)\b",
    r"\bme (?:sauve|sauver|suis sauvee?|enfuis|enfuir|suis enfuie?) (?:de|d) (?:mon|ma) " + _RELATIVE + r"\b",
    # English
    r"\b(?:husband|boyfriend|partner|wife|girlfriend|ex|father|dad|stepfather|he|she)\b(?: \w+){0,2} (?:hits|hit|beats|beat"
    r"|hurts|chokes|choked|raped|rapes|threatens|threatened|abuses|abused|slaps|slapped|kicks|kicked) me\b",
    r"\bafraid of my (?:partner|husband|boyfriend|wife|girlfriend|ex|father|dad)\b",
    r"\bthreatened to kill me\b",
    r"\bdomestic (?:violence|abuse)\b",
]

# --------------------------------------------------------------------------
# Suicide and self-harm
# --------------------------------------------------------------------------
_SUICIDE = [
    r"\bidees? noires?\b",
    # "je veux me tuer", "jvais me suicider", "j ai envie de me faire du mal"
    _I_WANT + r"\s+(?:\w+\s+){0,2}?(?:me|m)\s+" + _SELF_HARM_OBJECT + r"\b",
    # "il veut se tuer", "ma fille parle de mourir"
    _THEY_WANT + r"\s+(?:\w+\s+){0,1}?(?:se|s)\s+(?:tuer|suicider|enlever la vie|oter la vie|pendre"
    r"|tirer une balle(?! dans (?:le|les) pied))\b",
    r"\bparle (?:de|d) (?:mourir|en finir)\b",
    r"\b(?:aimerais(?: ca)?|voudrais|veux|souhaite|prie pour|espere) (?:juste |seulement )?(?:mourir|partir|crever|m en aller)"
    r" dans mon sommeil\b",
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
    # Indirect expressions: hopelessness, not making it to tomorrow, being a
    # burden, wanting to disappear (French, joual, SMS, English).
    r"\ba quoi bon\b(?!\s+(?!continuer|vivre|rester|me\b|essayer\b|se battre|me battre)\w+(?:er|ir|re|oir)\b)"
    r"(?!\s+(?:un|une|le|la|les|des|du|mon|ma|mes)\b)",
    r"\b(?:j|je|jen|j en|en) ?(?:n )?en (?:peux|peu|peut|pe) (?:pu|plus|pus|pluss)\b"
    r"(?!\s+(?:de|d|du|des|avec|a cause)\b(?!\s+(?:vivre|la vie|ma vie|toute|tout|rien|moi|exister|souffrir|continuer)\b))",
    r"\bjen (?:peux|peu|peut) (?:pu|plus|pus)\b(?!\s+(?:de|d|du|des|avec)\b(?!\s+(?:vivre|la vie|ma vie|toute|tout|rien|moi)\b))",
    # "je sais pas ou je vais passer la nuit" is a bed for tonight (shelter), not despair
    r"\bpas\b(?: (?!ou\b|where\b)\w+){0,5} (?:passer|toffer|tougher|survivre a) (?:a travers )?(?:la|cette|une autre) nuit\b",
    r"\b(?:serai|serais|sera) (?:pu|plus|pus|pas) (?:la(?! peine)|icitte|ici|en vie)\b(?: \w+)?(?: \w+)? ?(?:demain|bientot|ce soir|a soir|longtemps|pour|au cas)?",  # noqa: E501 (a pattern or a sentence reads best whole)
    r"\b(?:me )?rendrai (?:pas|pu|plus|jamais) (?:a|jusqu a) demain\b",
    r"\b(?:pense|crois) (?:pas|pu|plus) (?:me |m )?rendre (?:a|jusqu a) (?:demain|la fin de la semaine|la semaine prochaine"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|noel)\b(?! avec\b)",
    r"\bexisterai (?:pu|plus|pas)\b",
    r"\b(?:aurai\w*|serai\w*|porterai\w*)\b(?: \w+){0,5} si (?:j etais|jetais|je serais) (?:pu|plus|pas) la\b",
    r"\b(?:pu|plus|pus|pas) (?:envie|le gout|gout|la force) (?:d |de )?(?:etre|rester) (?:sur (?:la )?terre|en vie|icitte|ici|vivante?)\b",
    r"\b(?:pas|pu|plus) (?:etre|d etre) (?:encore )?(?:la|icitte|en vie|vivante?) (?:demain|ce soir|a soir|la semaine prochaine|bientot)\b",
    r"\b(?:mieux|plus simple|plus facile)\b(?: \w+){0,5} si (?:je mourais|je disparaissais|je partais pour (?:de bon|toujours)"
    r"|j etais (?:mort|morte|pu la|plus la|pas la)|jetais (?:mort|morte|pu la|pas la|plus la))\b",
    r"\b(?:suis|chu|jsuis|sens|suis juste|suis rien qu|suis rien que)\b(?: \w+){0,3} (?:poids|fardeau|boulet) (?:pour|a)\b",
    r"(?:\benvie (?:de|d)|\bgout (?:de|d)|\bgoute (?:de|d)|\bj?(?:veux|veu|vx|ve)\b|\bvoudrais\b|\baimerais(?: ca)?\b|\bsouhaite\b)"
    r"\s+(?:juste\s+|seulement\s+|tellement\s+)?(?:disparaitre|m effacer|meffacer)\b"
    r"(?!\s+(?:sous|une|un|au|a la|en|pour (?:la|une|le|un|quelques|les)|quelques|dans|de la ville|d ici))",
    r"\b(?:tanne|tannee|tanner|fatigue|fatiguee|ecoeure|ecoeuree|ecoeurer|ecoeurant|bout|epuise|epuisee)\b (?:de|d) (?:vivre|la vie|ma vie|exister)\b",  # noqa: E501 (a pattern or a sentence reads best whole)
    r"\b(?:ca|sa|ça) donne quoi (?:de|d) (?:vivre|continuer|rester en vie|etre en vie)\b",
    r"\bpourquoi (?:je )?(?:continuer|continuerais|continue) (?:a|de) vivre\b|\bpourquoi vivre\b",
    r"\b(?:raison|raisons) (?:de|d) (?:rester|etre) (?:sur (?:la|cette) terre|en vie|icitte|ici)\b",
    r"\b(?:c est|cest|ce sera|ca sera) ma derniere (?:soiree|nuit|journee)\b(?! (?:de|d|a|au|en)\b)",
    r"\b(?:dit|dire|fait|faire|fais) (?:bye|adieu|mes adieux|ses adieux)\b(?: \w+){0,2}? a (?:tout le monde|toute le monde|ma famille|mes enfants|mes proches)\b",  # noqa: E501 (a pattern or a sentence reads best whole)
    r"\b(?:texte|ecrit|envoye|envoyer|fait|faire|laisse)\w* (?:des|ses|mes|leurs) adieux\b",
    r"\bsert a rien que je (?:reste|vive|sois la|continue|sois en vie)\b",
    r"\bpens\w* a la mort\b",
    r"\b(?:partir|partais|partirais|que (?:ca|sa|tout) (?:arrete|finisse|s arrete)|tout arreter|arreter de souffrir|disparaitre|m endormir"
    r"|dormir|m en aller)\b(?: \w+){0,2} (?:pour de bon|pour toujours|a jamais|pour tjrs|pour tjs|pour tj)\b",
    r"\bque ma vie (?:s arrete|finisse|se termine|arrete)\b",
    r"\bla vie c est (?:pu|plus|pas) pour moi\b",
    r"\b(?:ma vie est finie|je vois aucun avenir)\b",
    r"\b(?:pu|plus|pus) jamais (?:ouvrir les yeux|me reveiller|reveiller)\b|\bjamais (?:rouvrir|ouvrir) les yeux\b",
    r"\b(?:souhaite|espere)\w* (?:pu|plus|pus|jamais|ne pas|pas) me reveiller\b",
    r"\b(?:pilules|medicaments|comprimes|cachets|corde) pour (?:partir|mourir|en finir|m en aller)\b",
    r"\bcache\w* une corde\b",
    r"\b(?:veut|voulait|veulent|voudrait) (?:pu|plus|pus|pas) (?:etre en vie|vivre|exister)\b",
    r"\b(?:veut|voulait|voudrait|veulent) (?:juste |seulement )?(?:mourir|crever)\b(?! (?:de|d)\b)",
    r"\bpeur (?:qu (?:il|elle)|quil|qu elle|de) (?:fasse|faire|fassent) (?:une|des) (?:betises?|conneries?)\b",
    r"\b(?:je vais|jvais|j vais|vais|vas) faire (?:une|des) (?:betises?|conneries?) (?:ce soir|a soir|cette nuit)\b",
    r"\bme (?:blesser|blesse|brule\w*|coupe\w*|frappe\w*) (?:expres|volontairement|par expres)\b",
    r"\b(?:recommence|continue|encore)\w*\b(?: \w+){0,2} (?:a me |me )(?:blesser|couper|faire du mal|scarifier)\b",
    r"\bj?(?:veux|veu|vx|ve|voudrais)\s+(?:pu|plus|pus|pas)\s+etre (?:icitte|ici|la|sur terre)\b",
    r"\bje devrais (?:mourir|crever|disparaitre|pas etre la|pas exister)\b",
    r"\bsers a rien sur (?:la|cette) terre\b",
    r"\b(?:pu|plus|pus|aucun|pas) (?:aucun |d )?espoir\b(?! (?:de|d|que|qu)\b)",
    r"\bfoncer dans (?:un|le) (?:arbre|mur|camion|pilier|poteau)\b",
    r"\b(?:vois|voit|trouve) (?:pas|pu|plus|aucune) (?:d )?(?:issue|porte de sortie|lumiere au bout)\b",
    r"\b(?:jme|je me|j me) tue\b(?! (?:a|au|pour|de|d)\b)",
    r"\bdes pensees de mort\b",
    r"\b(?:pu|plus|pus) capable (?:de|d) (?:endurer|supporter|toffer|tougher) (?:la vie|ma vie|de vivre|la vie)\b",
    r"\bj?(?:voudrais|aimerais|prefererais|souhaiterais|aimerais mieux|aimerais ca|veux|veu)\b(?: mieux)? (?:juste )?etre (?:mort|morte|morts|mortes)\b",  # noqa: E501 (a pattern or a sentence reads best whole)
    # English
    r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting) myself\b",
    r"\bend(?:ing)? (?:my life|it all)\b",
    r"\b(?:want|wanna|wish|going) (?:to )?(?:die|be dead|disappear)\b",
    r"\bwish (?:i|id|i d) (?:was|were) dead\b",
    r"\b(?:don t|dont|do not) want to (?:live|be alive|wake up|exist)\b",
    r"\b(?:don t|dont|do not) want to be here any ?more\b",
    r"\bbetter off without me\b",
    r"\b(?:life|my life|living) (?:is not|isn t|isnt|ain t|is no longer) worth (?:living|it)\b",
    r"\bno (?:point|reason) (?:in|to|for) (?:living|live|go on|going on|be alive)\b",
    r"\b(?:can t|cant|cannot) go on\b",
    r"\bdone with (?:life|living)\b",
]

# A bare keyword ("suicide", "violence conjugale") is a crisis unless the
# message is plainly about the topic (a school talk, a poster, volunteering).
_SUICIDE_KEYWORD = [
    r"\b(?:suicid|suicd|sucid|suisid|suicyd|suiscid)\w*",
]
_VIOLENCE_KEYWORD = [
    r"\bviolence (?:conjugal\w*|familial\w*|domestique|sexuel\w*)\b",
]
_ABOUT_TOPIC = re.compile(
    r"\b(?:prevention du suicide|prevenir le suicide|pour (?:mon|un|une|le|la) (?:cours|travail|affiche|conference|recherche"
    r"|projet|presentation|atelier|formation)|une recherche sur|du benevolat|faire du benevolat|sensibilisation)\b"
)

# --------------------------------------------------------------------------
# Health questions for Info-Santé 811 (not an emergency)
# --------------------------------------------------------------------------
_MEDS = r"(?:medicaments?|medocs|pilules|pillules|prescriptions?|insuline|pompes?|inhalateurs?|puffers?|ventolin|renouvellement)"
_HEALTH = [
    r"\bfievre\b",
    r"\bfait de la temperature\b",
    r"\b(?:pu|plus|pus|manque|manquer|manquerai|manquer|court|fini|finies)\b(?: \w+){0,2} (?:de |d |mes |ses |sa |ma |son |mon )?" + _MEDS + r"\b",
    r"\b(?:prescription|ordonnance) (?:est )?(?:finie|fini|terminee|expiree)\b",
    r"\bquestion (?:de|sur ma|sur la|sur sa|sur mon|sur son) sante\b",
    r"\b(?:parler|jaser) (?:a|avec) (?:une|un) (?:infirmiere|infirmier)\b",
    r"\binfo ?sante\b",
    r"\b(?:question|questions) (?:pour|a) (?:une|un|l) (?:infirmiere|infirmier|pharmacienne?)\b",
    r"\b(?:oublie|perdu|echappe|laisse|brise|vole)\w*\b(?: \w+)? (?:mes|ses|sa|ma|son|mon|les|leurs) " + _MEDS + r"\b",
    # a temperature in figures: "mon bébé fait 38,5" (not the weather, an age or a price)
    r"\b(?:bebe|enfant|fils|fille|gars|garcon|petit|petite|ado|chum|mari|femme|mere|pere|je|j|elle|il|y|i)\b(?: \w+){0,4}"
    r" (?:fait|faisait|fais|a|avait|fait une temperature de|fait de la temperature a) (?:3[89]|4[0-2])(?: [0-9])?\b"
    r"(?! (?:degres? )?(?:dehors|a l ombre|au soleil|ans|mois|semaines|jours|heures|minutes|kg|kilos|livres|lbs|cm|piastres"
    r"|dollars|piasses|cennes|pieds|pouces|km))",
    r"\b(?:grosse |mauvaise )?toux\b|\btouss\w*|\bgastro\b|\botite\b|\bnausees?\b|\bvertiges?\b|\betourdissements?\b",
    r"\b(?:vomit|vomi|vomis|vomissements?|diarrhee)\b",
    r"\bmal (?:aux|au|a la|a l) (?:oreilles?|ventre|tete|gorge|dents?)\b(?: \w+){0,3} (?:depuis|grave|consulter)\b",
    r"\b(?:devrais|dois|devrait|faut il|faut tu|faut tu que j) (?:aller (?:a l urgence|voir un medecin|consulter)|consulter)\b",
    r"\bsymptomes?\b",
    # English
    r"\bfever\b",
    r"\bout of (?:my |his |her )?(?:medication|medicine|meds|pills|insulin|prescription)\b",
    r"\bno more (?:\w+ )?(?:pills|meds|medication|medicine|insulin)\b",
]

# --------------------------------------------------------------------------
# Known non-crisis idioms and hyperboles (the crisis vocabulary used for
# something else). Only consulted when no crisis pattern fires.
# --------------------------------------------------------------------------
_ORDINARY = (
    r"(?:faim|soif|rire|fatigue|honte|peur|envie|ennui|jalousie|stress|curiosite|impatience"
    r"|hunger|laughter|laughing|boredom|embarras|tristesse)"
)
_THINGS = (
    r"(?:char|auto|voiture|truck|pick up|van|camion|moteur|batterie|batterie du char|cell|cellulaire|telephone"
    r"|phone|ordi|ordinateur|laptop|tablette|ipad|tv|television|televiseur|laveuse|secheuse|frigo|frigidaire"
    r"|fournaise|chauffe eau|poele|micro ondes|tondeuse|souffleuse|skidoo|ski doo|vtt|bicycle|velo|internet"
    r"|wifi|modem|imprimante|plante|plantes|jardin|party|soiree|ligue|equipe|saison|projet|compte)"
)
_IDIOMS = [
    # "je meurs de faim", "mort de rire", "crever de froid", "dying of laughter"
    r"\b(?:meurs|meurt|mourir|mourrir|mourru|mort|morte|morts|creve|crever|crevee|crevais|mourais|meure|mourrais)"
    r" (?:de |d )?(?:\w+ )?" + _ORDINARY + r"\b",
    r"\b(?:dying|dead|starving|die) (?:of |from |with )?" + _ORDINARY + r"\b",
    # the weather in the first person ("il va mourir de froid dehors" may be literal: not here)
    r"\b(?:je|j|on|jsuis|chu) (?:meurs|meurt|creve|suis en train de crever|gele) (?:de |d )?(?:froid|chaud|chaleur|frette)\b",
    r"\b(?:mort|morte) de rire\b|\bmdr\b|\blol\b|\bptdr\b|\bhaha\w*|\bhihi\w*",
    # "ça me tue", "tu me tues", "ces prix-là me tuent", "je me tue à l'ouvrage"
    r"\b(?:ca|sa|ce|cela|tu|vous|ils|elles|prix|factures?|enfants|kids|jeunes|patron|boss|job|travail|ouvrage|trafic"
    r"|chaleur|froid|neige|humidite|attente|voisins?) (?:me |m )(?:tue|tues|tuent|tuait|tuaient|achever|acheve)\b",
    r"\b(?:ca|sa) (?:va|vas) (?:me |m )(?:tuer|achever)\b",
    r"\b(?:me|se|te) (?:tue|tuer|tues|tuent) (?:a l ouvrage|au travail|a la tache|a la job|a travailler"
    r"|a le dire|a te le dire|a vous le dire|a repeter|a expliquer)\b",
    r"\btuer (?:le|du) temps\b|\bkill (?:the |some )?time\b",
    # "c'est mortel" (= great), "plate à mourir", "ennuyant à mort", "to die for"
    r"\b(?:c est|cest|etait|c etait|cetait|est|sont|vraiment|trop|ben|bien) (?:\w+ )?mortel\w*\b",
    r"\b(?:plate|platte|ennuyant|ennuyante|ennuie|ennuyer|beau|belle|bon|bonne|drole|laid|laide|long|longue|cher|chere"
    r"|niaiseux|cute|froid|frette) a (?:mourir|mort|crever)\b",
    r"\bto die for\b|\bdying to\b|\bdrop dead gorgeous\b|\bdead tired\b|\bdead battery\b",
    r"\b(?:this|that|it|it s|its|traffic|heat|cold|weather|prices?|rent|job|work|boss|kids|back|feet|knees|head|wait"
    r"|waiting|suspense|commute|homework|taxes)(?: is| are)? killing me\b",
    r"\bi(?: m| am|m) dead\b(?! (?:inside|tonight|soon|serious))",
    r"\b(?:could|would) kill for\b",
    # things that "die" or "drop": "mon char est mort", "mon cell m'a lâché"
    r"\b(?:mon|ma|mes|notre|nos|le|la|les|son|sa|ses|leur|my|the|our|his|her) " + _THINGS
    + r"\b(?: \w+){0,2} (?:est|sont|a|ont|vient de|viennent de|is|are|just|died|has|have)? ?"
    r"(?:mort|morte|morts|mortes|creve|crevee|creves|lache|lachee|laches|rendu l ame|fini|finie|died|dead|gave out|quit)\b",
    r"\b(?:m a|ma|m ont|mont) lache\w*\b(?! (?:pour|apres|un|une|des|le|la|les)\b)",
    r"\b(?:pile|piles|batterie|batteries) (?:\w+ )?(?:morte|mortes|a plat|dead|fini|finie)\b",
    # "frapper à la porte", "frappé un chevreuil", "battre aux cartes", "se faire battre 5-2"
    r"\bfrapp\w* (?:a|sur|dans) (?:la|ma|ta|sa|notre|leur|une|les) (?:porte|fenetre|vitre|mur|table|murs|portes)\b",
    r"\bfrapp\w* (?:un|une|le|la) (?:chevreuil|orignal|poteau|nid de poule|trou|mur|banc de neige|roche|lievre|mouffette)\b",
    r"\b(?:battu|battue|battus|battre|bat|bats|perdu|gagne|lance|lancer|lancee)\w* (?:aux?|a la|au) (?:cartes|echecs|dames|poker|bingo"
    r"|scrabble|hockey|balle|baseball|golf|tennis|badminton|ping pong|quilles|bowling|jeux?|fer|fers|dards|monopoly|jeu)\b",
    r"\b(?:battre|battu|battus|bat|bats) (?:des|un|le|mon|son|mes) (?:records?|oeufs|tapis|fer)\b",
    r"\bviolence (?:a la tele|a la television|dans les (?:films|jeux|series|nouvelles)|au hockey|des jeux|dans le sport)\b",
    r"\bme tape (?:sur|dans) les nerfs\b|\btape sur les nerfs\b|\bgets on my nerves\b",
    # "respire par le nez" (calm down), "respirer un peu", "take a breath"
    r"\brespire(?:r|z)? par le nez\b|\bprendre (?:une|un peu d) (?:grande )?(?:respiration|air)\b|\btake a (?:deep )?breath\b",
    # "se tirer dans le pied", "overdose de chocolat"
    r"\b(?:balle|tirer|tire|shoot\w*) (?:\w+ )?dans (?:le|les|mon|son|ton) pieds?\b",
    r"\b(?:overdose|surdose|over dose|overdoze) (?:de|d) (?:chocolat|bonbons|sucre|cafe|netflix|series|travail"
    r"|reunions|neige|pub|publicite|emails|courriels|info|informations)\b",
    # "j'étouffe dans mon petit appart", "la chaleur m'étouffe"
    r"\betouffe\w* (?:dans|avec) (?:mon|ma|ce|cette|le|la) (?:petit |petite )?(?:appart|appartement|logement|bureau|job"
    r"|travail|char|auto|routine|village|chambre)\b",
    r"\b(?:ca|sa) m etouffe\b|\bchaleur m etouffe\b",
    # "j'en peux pu de la neige" (exasperation about a thing) is already left alone by the patterns
    r"\bfin du monde\b(?! (?:pour moi|ce soir|demain))",
    # quitting a habit is a request for help, not a wish to die
    r"\b(?:arreter|arrete|lacher|lache|cesser|quit|quitting|stop|stopping) (?:de |d )?(?:fumer|boire|consommer|jouer|gambler"
    r"|vapoter|prendre de la drogue|la drogue|la boisson|la cigarette|smoking|drinking|gambling|vaping)\b",
    # "en finir avec mes dettes" (a thing to be done with), not "en finir avec la vie"
    r"\ben finir avec (?!la vie|ma vie|tout\b|toute\b|moi\b|mes jours|cette vie|l existence|ca\b|sa\b)(?:mes|mon|ma|ce|cette"
    r"|ces|les|le|la|l)\b",
    # the weather "hits" and "chokes": "la tempête a frappé", "the storm hit", "j'étouffe de chaleur"
    r"\b(?:tempete|tempetes|storm|storms|vent|neige|pluie|orage|verglas|canicule|chaleur|froid|hiver|grele|blizzard|wind"
    r"|snow|rain|heat|cold)\b(?: \w+){0,2} (?:frapp\w*|hit|hits|battu|bat|tue|killed|kills|etouffe\w*)\b",
    r"\betouff\w* (?:de|d) (?:chaleur|chaud|humidite)\b",
    # things that die: "mon cellulaire va mourir", "my battery is dead"
    r"\b(?:mon|ma|mes|le|la|les|my|the|our) (?:cell|cellulaire|telephone|phone|batterie|battery|laptop|ordi|ordinateur"
    r"|computer|car|char|auto|truck|plante|plants?)\b(?: \w+){0,2} (?:va|vont|is|are|s|est en train de|about to|going to)"
    r" (?:mourir|die|dying|dead|lacher|crever)\b",
    # a health profession or a daily treatment is not a health question
    r"\b(?:je suis|chu|suis|est|travaille comme|travaille en tant qu|i m a|i am a|she s a|he s a) (?:une |un )?"
    r"(?:infirmiere|infirmier|medecin|pharmacien\w*|nurse|doctor|pharmacist|preposee?)\b",
    r"\bprend(?:s)? (?:des|ses|mes|son|sa|ma|mon) (?:medicaments|medocs|pilules|pillules|pompes?) (?:pour|contre|le matin"
    r"|le soir|tous les jours|chaque jour)\b",
    # fear of a thing or a season, not of a person
    r"\bpeur (?:de l|du|de la|des) (?:hiver|froid|neige|tempetes?|noir|noirceur|avion|hauteurs?|chiens?|araignees|dentiste"
    r"|piqures?|aiguilles|examens?|orages?|factures?|avenir|changements?|tonnerre|eau|foule|vaccins?)\b",
    r"\b(?:tannee?|ecoeuree?|fatiguee?) (?:de|d) (?:la|les|le|l|ce|cette|ces|mon|ma|mes|attendre|chercher|appeler|payer)\b"
    r"(?! (?:vivre|vie|ma vie|exister)\b)",
    # a thing that is violent (a film, a game, a storm of words), not a person who hurts someone
    r"\b(?:film|films|movie|movies|jeu|jeux|game|games|video|videos|serie|series|show|emission|livre|roman|book|match"
    r"|sport|sports|chanson|paroles|dessins animes|cartoons?)\b(?: \w+){0,3} (?:violent|violente|violents|violentes)\b",
    r"\b(?:violent|violente|violents|violentes) (?:en maudit|en tabarnak|en criss|en sacrament|pas a peu pres)\b",
    # killing pests and weeds
    r"\b(?:tuer|tue|tues|tuent|tuais|tuait|kill|kills|killing|killed) (?:des|les|la|le|un|une|mes|tous les|toutes les|the"
    r"|some|all the)? ?(?:mouches?|moustiques?|maringouins?|brulots?|guepes?|fourmis?|araignees?|souris|coquerelles?"
    r"|punaises?|bibittes?|bebittes?|insectes?|mauvaises herbes|pissenlits|flies|fly|mosquitoes|bugs|ants|wasps|spiders"
    r"|weeds|mice|rats?)\b",
    # falling in love
    r"\btomb\w* (?:en amour|amoureux|amoureuse)\b|\b(?:fell|falling|fall) (?:in love|for (?:him|her|them))\b",
    # going away for a while ("disparaître une fin de semaine au camp"), not for good
    r"\bdispara\w* (?:pour )?(?:une|un|quelques|deux|trois|la|le) (?:petite )?(?:semaine|fin de semaine|week-end|weekend"
    r"|jours?|mois|heures?|couple de jours|apres-midi|soiree)\b",
]
_IDIOMS_COMPILED = [re.compile(p) for p in _IDIOMS]


def known_idiom(text: str) -> bool:
    """Whether the message contains a hyperbole or an idiom that sounds like a crisis and is not.

    "je meurs de faim", "ça me tue ces prix-là", "mon char est mort",
    "this traffic is killing me", "je veux arrêter de fumer", "ma mère est
    infirmière", or a message about the topic ("une recherche sur la violence
    conjugale pour mon cours"): such a message is never a crisis unless a
    crisis pattern fires on it too (CrisisOverride checks the patterns first).
    """
    folded = fold(text or "")
    # a message about the topic (a school work, a poster, prevention) is no crisis either
    return bool(folded) and (_any(_IDIOMS_COMPILED, folded) or _ABOUT_TOPIC.search(folded) is not None)


_COMPILED = {
    "medical_event": [re.compile(p) for p in _MEDICAL_EVENT],
    "medical_now": [re.compile(p) for p in _MEDICAL_NOW],
    "violence": [re.compile(p) for p in _VIOLENCE],
    "suicide": [re.compile(p) for p in _SUICIDE],
    "suicide_keyword": [re.compile(p) for p in _SUICIDE_KEYWORD],
    "violence_keyword": [re.compile(p) for p in _VIOLENCE_KEYWORD],
    "health": [re.compile(p) for p in _HEALTH],
}


def _any(patterns: list[re.Pattern], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def detect_crisis(text: str) -> str | None:
    """The crisis intent a message expresses, or None.

    Returns "crisis_medical" (911 now), "crisis_violence", "crisis_suicide"
    or "crisis_health" (a health question for Info-Santé 811), in this order
    of precedence when several match.
    """
    folded = fold(text or "")
    if not folded:
        return None
    if _any(_COMPILED["medical_now"], folded):
        return CRISIS_MEDICAL
    if _any(_COMPILED["medical_event"], folded) and not _PAST_EVENT.search(folded):
        return CRISIS_MEDICAL
    about_topic = _ABOUT_TOPIC.search(folded) is not None
    if _any(_COMPILED["violence"], folded) or (not about_topic and _any(_COMPILED["violence_keyword"], folded)):
        return CRISIS_VIOLENCE
    if _any(_COMPILED["suicide"], folded) or (not about_topic and _any(_COMPILED["suicide_keyword"], folded)):
        return CRISIS_SUICIDE
    if _any(_COMPILED["health"], folded):
        return CRISIS_HEALTH
    return None


# --------------------------------------------------------------------------
# Rasa graph component
# --------------------------------------------------------------------------


# DIET's own crisis guess (no pattern fired) is kept only from this confidence
# on. See CrisisOverride for the rule and why.
DIET_CRISIS_MIN_CONFIDENCE = 0.9


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisOverride(StatelessComponent):
    """Decides whether a turn is a crisis; the rule, in order:

    1. A crisis pattern fires (`detect_crisis`): that crisis, confidence 1.0,
       whatever DIET predicted. The patterns are the detector that must never
       miss (100 % recall on tests/nlu/crisis_eval.yml).
    2. Otherwise, DIET's crisis guess is dropped when the message is a known
       non-crisis idiom (`known_idiom`: "je meurs de faim", "mon char est
       mort") or when DIET is less sure than DIET_CRISIS_MIN_CONFIDENCE (0.9).
       DIET learns crisis words, not their sense, and guesses a crisis on
       idioms and on ordinary needs that share a word with a crisis example;
       a crisis answer to them is gentle but derails the conversation. The
       turn then takes DIET's best non-crisis intent, with DIET's own
       confidence, so FallbackClassifier may still send it to the fallback
       (categories and the 211).
    3. A DIET crisis guess that survives stays, except that 911
       (crisis_medical) with no word of urgent danger becomes Info-Santé 811
       (crisis_health), whose answer names 911 for the danger signs.

    A forced crisis keeps the other intents in the ranking, after it, with
    confidence 0.0, so that FallbackClassifier's ambiguity check (top two
    confidences too close) can never turn a crisis into nlu_fallback.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            crisis = detect_crisis(text)
            if crisis is not None:
                self._override(message, crisis)
                continue
            guess = message.get(INTENT) or {}
            if guess.get(INTENT_NAME_KEY) not in CRISIS_INTENTS:
                continue
            confidence = float(guess.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            if known_idiom(text) or confidence < DIET_CRISIS_MIN_CONFIDENCE:
                self._drop_crisis(message)
            elif guess.get(INTENT_NAME_KEY) == CRISIS_MEDICAL:
                self._override(message, CRISIS_HEALTH)
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

    @staticmethod
    def _drop_crisis(message: Message) -> None:
        """DIET's best non-crisis intent becomes the turn's; the crisis intents go last at 0.0."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        others = [dict(e) for e in ranking if e.get(INTENT_NAME_KEY) not in CRISIS_INTENTS]
        crises = [{**e, PREDICTED_CONFIDENCE_KEY: 0.0} for e in ranking if e.get(INTENT_NAME_KEY) in CRISIS_INTENTS]
        # no ranking at all (a message built by hand): nothing to fall back on but the fallback's own threshold
        best = others[0] if others else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
        message.set(INTENT, {INTENT_NAME_KEY: best.get(INTENT_NAME_KEY),
                             PREDICTED_CONFIDENCE_KEY: best.get(PREDICTED_CONFIDENCE_KEY, 0.0)}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, others + crises, add_to_output=True)
