"""Phare's web chat: the embeddable widget, its demo pages and the REST proxy.

`bot.webchat.routes.blueprint` is mounted by `bot.web`.
"""
