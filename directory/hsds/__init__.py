"""Open Referral HSDS 3.0: Phare's directory as open data others can use.

`serialize` turns directory rows into HSDS 3.0 objects (pure), `params`
reads and checks API query strings (pure), `query` filters and pages in SQL,
`package` exports and imports the HSDS tabular data package (CSV files and
`datapackage.json` in a zip), `schemas` loads the vendored HSDS 3.0 JSON
schemas (`schema/`, CC BY-SA 4.0, Open Referral) to validate what Phare
publishes. The HTTP routes live in `web/api.py`.
"""
