"""Phare's web server (one Sanic app, `python -m web`): the site host (`app.py`),
the web chat widget and demo pages (`webchat/`), the staff admin (`admin/`,
one controller module per resource, `policy.py` for who may do what) and the
open-data HSDS API (`api.py`).

Only HTTP lives here; what the pages show and change comes from `directory/`.
"""
