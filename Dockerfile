# Phare in a container (same image for the action server, Rasa and the web server).
FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /opt/phare
COPY pyproject.toml README.md ./
COPY phare ./phare
COPY directory ./directory
COPY bot ./bot
COPY web ./web
COPY actions ./actions
RUN pip install --upgrade pip && pip install . && pip check
COPY config.yml domain.yml credentials.yml endpoints.yml ./
COPY data ./data
# The model is trained at build time: no download, nothing at run time.
RUN rasa train --fixed-model-name phare --out models
RUN useradd --system --home /opt/phare phare && chown -R phare /opt/phare
USER phare
