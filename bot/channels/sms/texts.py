"""The fixed French texts the SMS channel sends on its own (keywords, limits, odd input)."""

HELP_TEXT = (
    "Phare trouve les services d'entraide du Bas-Saint-Laurent : aide alimentaire, frigos, repas, "
    "quelqu'un à qui parler… Écrivez votre besoin et votre municipalité, ex. « épicerie à Rimouski ». "
    "PLUS : la suite. RECOMMENCER : tout effacer. ARRET : ne plus recevoir de textos. "
    "Une personne : 211. Urgence : 911."
)
TIMEOUT_TEXT = (
    "Je cherche encore… Répondez PLUS dans une minute pour voir ma réponse. "
    "Le 211 (gratuit et confidentiel) peut aussi vous aider. Urgence : 911."
)
MEDIA_TEXT = (
    "Je ne peux pas lire les photos ni les fichiers. Écrivez-moi en mots ce dont vous avez besoin "
    "et votre municipalité. Une personne peut aussi vous aider au 211."
)
SYMBOLS_TEXT = (
    "Je lis seulement les mots, pas les émojis. Écrivez-moi ce dont vous avez besoin "
    "(manger, un frigo, quelqu'un à qui parler…) et votre municipalité."
)
RATE_LIMIT_TEXT = (
    "Vous m'avez écrit beaucoup de messages. Je vous répondrai de nouveau dans {wait}. "
    "Parler à quelqu'un maintenant : 211. Urgence : 911."
)
NO_SUCH_CHOICE_TEXT = "Je n'ai pas de choix {number}. {prompt}"
MISSING_SENDER_TEXT = "Requête invalide : le paramètre From manque."
