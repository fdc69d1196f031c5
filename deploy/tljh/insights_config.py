# The class insights service on The Littlest JupyterHub (issue 22; docs/teaching.md, "Class insights").
# deploy/tljh/setup.sh installs this file as /opt/tljh/config/jupyterhub_config.d/insights.py; TLJH
# loads it after its own configuration. The service runs with the users' environment's Python
# (/opt/tljh/user, where setup.sh installed the course and its `insights` extra), as root like the hub.
#
# - teachers: the hub group "instructors" (names in /srv/insights/teachers, one a line, or added
#   from the hub's admin page) get the dashboard at /services/insights/;
# - the database: SQLite in /srv/insights/, or the PostgreSQL URL in /srv/insights/database-url
#   (postgresql://insights:PASSWORD@127.0.0.1/insights; mode 600, root only);
# - turning it off: `touch /srv/insights/off` and `sudo tljh-config reload hub`; the kernels then
#   send nothing (restart the users' servers for running kernels to notice).
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub's config loader

INSIGHTS = "insights"
INSIGHTS_PORT = 10101
STATE = Path("/srv/insights")
PYTHON = "/opt/tljh/user/bin/python3"
URL_FILE = STATE / "database-url"
TEACHERS_FILE = STATE / "teachers"

if not (STATE / "off").exists():
    database = URL_FILE.read_text().strip() if URL_FILE.exists() else f"sqlite:///{STATE / 'insights.sqlite'}"
    c.JupyterHub.services.append({
        "name": INSIGHTS,
        "url": f"http://127.0.0.1:{INSIGHTS_PORT}",
        "command": [PYTHON, "-m", "helpers.insights.service"],
        "environment": {"BACKPROP_INSIGHTS_DB": database},
        "cwd": str(STATE),
        "oauth_client_allowed_scopes": ["custom:insights:dashboard"],
        "oauth_no_confirm": True,
        "display": True,
    })
    c.JupyterHub.custom_scopes.update({
        "custom:insights:dashboard": {"description": "See the class's live insights dashboard (every learner's events)."},
    })
    teachers = [n.strip() for n in TEACHERS_FILE.read_text().splitlines() if n.strip()] if TEACHERS_FILE.exists() else []
    c.JupyterHub.load_groups.update({"instructors": {"users": teachers}})
    c.JupyterHub.load_roles.append({"name": "insights-teacher", "scopes": ["custom:insights:dashboard"],
                                    "groups": ["instructors"]})
    c.JupyterHub.extra_user_scopes.add(f"access:services!service={INSIGHTS}")
    c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server",
                                     f"access:services!service={INSIGHTS}"]
    c.Spawner.environment.update({"BACKPROP_INSIGHTS_URL": f"http://127.0.0.1:{INSIGHTS_PORT}/services/{INSIGHTS}/"})
