"""Phare's web chat: the embeddable widget, its demo pages and the REST proxy.

`web.webchat.routes.blueprint` is mounted by `web.app`.
"""
