"""The deployment files (systemd, docker compose, nginx, environment example) say what the code can do."""
from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from phare.settings import variable_names
from tests.support import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))
CODE_DIRS = ("bot", "directory", "actions", "web")


def modules_run(text: str) -> set[str]:
    """Every `python -m module` in a command line, a unit or a compose file."""
    return set(re.findall(r"python3?\s+-m\s+([a-zA-Z_][\w.]*)", text))


def test_every_command_runs_a_module_that_exists():
    texts = [unit.read_text(encoding="utf-8") for unit in UNITS]
    texts += [(ROOT / "docker-compose.yml").read_text(encoding="utf-8"), (ROOT / "Dockerfile").read_text(encoding="utf-8")]
    modules = set().union(*(modules_run(text) for text in texts))
    assert {"bot.rasa_server", "bot.action_server", "web", "bot", "directory"} <= modules, modules
    for module in modules:
        spec = importlib.util.find_spec(module)
        assert spec is not None, f"python -m {module}: no such module"
        if spec.submodule_search_locations:  # a package runs its __main__
            assert importlib.util.find_spec(f"{module}.__main__") is not None, module


def test_rasa_instances_start_through_phares_entry_point_everywhere():
    # Plain `rasa run` would log coloured text with no JSON and skip Phare's adjustments.
    rasa_unit = (DEPLOY / "systemd" / "phare-rasa@.service").read_text(encoding="utf-8")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    commands = [rasa_unit] + [service.get("command", "") for name, service in compose["services"].items()
                              if name.startswith("rasa")]
    assert len(commands) == 3
    for command in commands:
        assert "bot.rasa_server run" in command and "models/phare.tar.gz" in command
        assert not re.search(r"(^|[\s/&])rasa run", command), command


def test_systemd_stops_rasa_before_the_action_server():
    unit = (DEPLOY / "systemd" / "phare-rasa@.service").read_text(encoding="utf-8")
    after = re.search(r"^After=(.*)$", unit, re.M).group(1).split()
    assert "phare-actions.service" in after
    for path in UNITS:
        text = path.read_text(encoding="utf-8")
        if "[Service]" in text and "Type=oneshot" not in text:
            assert re.search(r"^KillSignal=SIGTERM$", text, re.M), path.name
            assert int(re.search(r"^TimeoutStopSec=(\d+)$", text, re.M).group(1)) > 15, path.name  # Sanic's grace


def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    # The units as they would be installed, pointing at this checkout instead of /opt/phare.
    python = Path(sys.executable)
    names = []
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        text = text.replace("/opt/phare/.venv/bin/python", str(python)).replace("/opt/phare", str(ROOT))
        name = unit.name.replace("@.service", "@5005.service")
        (tmp_path / name).write_text(text, encoding="utf-8")
        names.append(name)
    result = subprocess.run([analyze, "verify", *names], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "User=" not in line and "Group=" not in line]
    assert result.returncode == 0 and not problems, "\n".join(problems)


def test_compose_shares_postgres_and_redis_between_two_rasa_instances():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "redis", "actions", "rasa1", "rasa2", "web", "purge"} <= set(services)
    for name in ("actions", "rasa1", "rasa2", "web", "purge"):
        env = services[name]["environment"]
        assert env["PHARE_DATABASE_URL"].startswith("postgresql://"), name
    for name in ("rasa1", "rasa2"):
        assert services[name]["environment"]["PHARE_REDIS_URL"].startswith("redis://")
    assert "bot purge" in services["purge"]["command"]
    assert "directory migrate" in services["actions"]["command"]


def test_nginx_example_routes_every_public_path():
    conf = (DEPLOY / "nginx" / "phare.conf").read_text(encoding="utf-8")
    assert re.search(r"upstream phare_rasa \{[^}]*ip_hash;[^}]*server 127\.0\.0\.1:5005;[^}]*server 127\.0\.0\.1:5006;", conf)
    for location in ("= /webhooks/sms/webhook", "= /webhooks/rest/webhook", "/socket.io/", "/webhooks/health/", "/"):
        assert f"location {location} {{" in conf, location
    assert "listen 443 ssl" in conf and "ssl_certificate " in conf and "return 301 https://" in conf
    assert re.search(r"^\s*access_log off;", conf, re.M)
    assert 'proxy_set_header Upgrade $http_upgrade;' in conf
    health = conf[conf.index("location /webhooks/health/"):]
    assert health.index("deny all;") < health.index("}")
    tls = conf[conf.index("listen 443"):]
    assert re.search(r'add_header Strict-Transport-Security "max-age=\d{8,}[^"]*" always;', tls)
    # The web server trusts one proxy: nginx must set (not append to) X-Forwarded-For for it.
    site = conf[conf.index("location / {"):]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site[:site.index("}")]
    example = (DEPLOY / "systemd" / "phare.env.example").read_text(encoding="utf-8")
    assert re.search(r"^PHARE_PROXIES_COUNT=1$", example, re.M)


def variables_read_by_phare() -> set[str]:
    found: set[str] = set(variable_names())
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            # os.environ["X"], os.environ.get("X"), os.getenv("X"), env.get("X") on a copy of the environment
            found.update(re.findall(r"""(?:environ\[|\.get\(|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""",
                                    path.read_text(encoding="utf-8")))
    return found


# Variables of the example that libraries read, and the library that reads each.
LIBRARY_VARIABLES = {"LOG_LEVEL": "rasa", "RASA_TELEMETRY_ENABLED": "rasa", "SQLALCHEMY_SILENCE_UBER_WARNING": "sqlalchemy"}


def test_environment_example_names_only_variables_something_reads():
    example = (DEPLOY / "systemd" / "phare.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.M)
    assert {"PHARE_DATABASE_URL", "PHARE_REDIS_URL", "PHARE_RETENTION_DAYS", "TWILIO_AUTH_TOKEN"} <= set(names)
    ours = variables_read_by_phare()
    for name in names:
        if name in ours:
            continue
        library = LIBRARY_VARIABLES.get(name)
        assert library, f"{name} is in phare.env.example but nothing reads it"
        package = Path(importlib.util.find_spec(library).origin).parent
        assert any(name in path.read_text(encoding="utf-8", errors="ignore") for path in package.rglob("*.py")), name


def test_compose_and_units_read_the_same_kind_of_settings():
    # A variable set in compose for Phare's processes must also be something Phare reads.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    ours = variables_read_by_phare()
    for name, service in compose["services"].items():
        if name in ("postgres", "redis"):
            continue
        for variable in service.get("environment", {}):
            assert variable in ours or variable in LIBRARY_VARIABLES, f"{name}: {variable}"
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("Exec"):
                shlex.split(line.split("=", 1)[1].replace("\\", ""))  # well-formed quoting


def scheduled_commands() -> dict[str, str]:
    """timer name -> the `module args` its service runs (`python -m web.admin remind` -> "web.admin remind")."""
    jobs = {}
    for timer in sorted((DEPLOY / "systemd").glob("*.timer")):
        service = timer.with_suffix(".service").read_text(encoding="utf-8")
        exec_start = re.search(r"^ExecStart=(.*)$", service, re.M).group(1)
        jobs[timer.name] = " ".join(re.search(r"python3?\s+-m\s+(.*)$", exec_start).group(1).split())
    return jobs


def test_every_scheduled_job_is_a_command_its_module_accepts():
    """A command that moved (`python -m directory remind` is now `python -m web.admin remind`) fails here, not at night."""
    for timer, job in scheduled_commands().items():
        done = subprocess.run([sys.executable, "-m", *job.split(), "--help"], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{timer}: python -m {job} --help\n{done.stderr}"


def test_every_scheduled_job_of_systemd_also_runs_in_docker_compose():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    commands = {name: " ".join(str(service.get("command", "")).split()) for name, service in compose["services"].items()}
    jobs = scheduled_commands()
    assert {"phare-purge.timer", "phare-remind.timer"} <= set(jobs), jobs
    for timer, job in jobs.items():
        runners = [name for name, command in commands.items()
                   if re.search(rf"python3?\s+-m\s+{re.escape(job)}(\s|;|&|$)", command)]
        assert runners, f"{timer} runs `python -m {job}`, which no docker compose service runs"
        for name in runners:
            # A scheduled job repeats, on Phare's database, with the same settings as the other processes.
            assert "while true" in commands[name] and "sleep" in commands[name], name
            assert compose["services"][name]["environment"]["PHARE_DATABASE_URL"].startswith("postgresql://"), name
