"""Fixed French messages the channels send on their own (no model needed)."""

TECHNICAL_PROBLEM = (
    "Désolé, un problème technique m'empêche de répondre en ce moment. "
    "Composez le 211 (gratuit et confidentiel) pour trouver de l'aide près de chez vous. "
    "En cas d'urgence, faites le 911."
)

RESTARTED = "C'est effacé. On recommence à neuf : de quoi avez-vous besoin?"

EMPTY_MESSAGE = (
    "Je n'ai reçu aucun texte. Dites-moi ce dont vous avez besoin (manger, un frigo libre-service, "
    "quelqu'un à qui parler…) et votre municipalité."
)
