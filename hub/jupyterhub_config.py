# The course's DEMO JupyterHub (make hub; tools/hub.py sets the BACKPROP_HUB_* variables).
#
#   NOT FOR PRODUCTION. Anyone who knows the demo password logs in as any of the three demo
#   accounts, and every user's server runs as the same operating-system user as the hub
#   (jupyterhub's SimpleLocalProcessSpawner, "only use this for testing"): students can read and
#   write each other's files, the exchange and the instructor's gradebook. A real class uses its
#   institution's authenticator and a spawner that gives each user their own account or
#   container (LocalProcessSpawner with system users, The Littlest JupyterHub, Zero to JupyterHub
#   on Kubernetes); the nbgrader side of this file (exchange, course id, which extensions whom)
#   carries over unchanged.
#   Grading, though, is sandboxed here as anywhere: `nbgrader autograde` (the formgrader's button
#   or the command) runs every submission's kernel in the course's bubblewrap sandbox, as a uid of
#   its own (helpers/classroom/sandbox.py; tools/hub.py says at start whether it stands).
#
# One hub, on 127.0.0.1 only: the instructor (nbgrader's formgrader and create-assignment tools)
# and two students (nbgrader's assignment list), each with a home under the state directory,
# the course's own environment (the .venv this hub runs from) as the single-user environment,
# and nbgrader's file exchange in the state directory.
import json
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

HERE = Path(__file__).resolve().parent
STATE = Path(os.environ.get("BACKPROP_HUB_STATE", HERE.parent / "build" / "hub")).resolve()
COURSE = Path(os.environ.get("BACKPROP_HUB_COURSE", HERE.parent / "build" / "classroom")).resolve()
COURSE_ID = os.environ.get("BACKPROP_HUB_COURSE_ID", "backprop")
PORT = int(os.environ.get("BACKPROP_HUB_PORT", "8000"))
PROXY_API_PORT = int(os.environ.get("BACKPROP_HUB_PROXY_API_PORT", PORT + 1))
HUB_API_PORT = int(os.environ.get("BACKPROP_HUB_API_PORT", PORT + 2))
INSTRUCTOR = "instructor"
STUDENTS = ("student1", "student2")
# The demo password, printed by tools/hub.py. NOT FOR PRODUCTION.
PASSWORD = os.environ.get("BACKPROP_HUB_PASSWORD", "backprop-demo")
ENV_BIN = Path(sys.prefix) / "bin"  # the course's environment: the hub runs from it, and so do the users
EXCHANGE = STATE / "exchange"
HOMES = STATE / "home"

# --- the hub and its proxy: 127.0.0.1 only, state under STATE ---------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# On SIGINT/SIGTERM the hub stops the proxy it started and every user's server (the defaults,
# stated because tools/hub.py and the end-to-end test rely on them).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- who: a demo authenticator (NOT FOR PRODUCTION) --------------------------------------------
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = PASSWORD
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}

# --- how: each user's Jupyter server is a local process of the course's environment -----------
c.JupyterHub.spawner_class = "simple"  # NOT FOR PRODUCTION: no isolation between users
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]  # CI runs as root; JupyterLab refuses root without it
c.Spawner.start_timeout = 120  # a loaded 2-core machine: the first start imports a lot
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # nbgrader's gradebook runs `alembic`, and kernels find the course's tools, from this env
    "PATH": f"{ENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
    # the checker's progress file lives in the home, never inside an assignment folder (it would
    # be submitted with it)
    "BACKPROP_PROGRESS": lambda spawner: str(HOMES / spawner.user.name / ".backprop-progress.json"),
}


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _prepare_home(spawner):
    """Before a user's server starts: their home, and their nbgrader and JupyterLab settings.

    The instructor gets the course directory, the formgrader and the create-assignment tool;
    a student gets the assignment list only (nbgrader's instructor extensions are disabled for
    them, in the lab and on the server)."""
    name = spawner.user.name
    home = HOMES / name
    config = home / ".jupyter"
    lines = [
        "# written by the course's demo hub (hub/jupyterhub_config.py) at each start of this server",
        "c = get_config()",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
        f"c.Exchange.root = {str(EXCHANGE)!r}",
    ]
    if name == INSTRUCTOR:
        # the formgrader works only on a course directory inside the server's root (the home):
        # ~/<course id> is a link to the course
        link = home / COURSE_ID
        if link.is_symlink() and link.resolve() != COURSE:
            link.unlink()
        if not link.exists():
            home.mkdir(parents=True, exist_ok=True)
            link.symlink_to(COURSE, target_is_directory=True)
        lines.append(f"c.CourseDirectory.root = {str(link)!r}")
        # every submission belongs to the hub's one OS user here (see the top of this file), so
        # nbgrader's owner check would call each one a cheating attempt
        lines.append("c.CollectApp.check_owner = False")
    else:
        # nbgrader names a submission after the OS user who made it; every user's server runs as
        # the hub's one OS user here, so the student's id is given explicitly
        lines.append(f"c.CourseDirectory.student_id = {name!r}")
    config.mkdir(parents=True, exist_ok=True)
    (config / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    instructor_only = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                       "@jupyter/nbgrader:course-list"]
    _write_json(config / "labconfig" / "page_config.json",
                {"disabledExtensions": {ext: name != INSTRUCTOR for ext in instructor_only}})
    server = {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": name == INSTRUCTOR,
                                      "nbgrader.server_extensions.course_list": name == INSTRUCTOR}}
    if name == INSTRUCTOR:
        # JupyterLab shows the formgrader in an iframe of the instructor's own server, which
        # jupyterhub-singleuser forbids by default (Content-Security-Policy "frame-ancestors
        # 'none'", against one user's page framing another's): allow the same origin again, for
        # the instructor's server only.
        server["tornado_settings"] = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
    _write_json(config / "jupyter_server_config.json", {"ServerApp": server})
    # no "receive Jupyter news?" prompt for a class
    _write_json(config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})


c.Spawner.pre_spawn_hook = _prepare_home

# --- the nbgrader exchange: released assignments go out, submissions come in -----------------
# nbgrader creates <root>/<course>/{outbound,inbound,feedback} itself on the first release; the
# root must exist and be writable by everyone (with real accounts: 0o1777, like /tmp).
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o1777)
HOMES.mkdir(parents=True, exist_ok=True)

# --- the class insights service (issue 22; docs/teaching.md, "Class insights") ----------------------
# A JupyterHub-managed service (helpers/insights/service.py) at /services/insights/: the learners'
# kernels send it one event per check and hint (helpers/insights/__init__.py), with their own
# JUPYTERHUB_API_TOKEN; the instructors see the class's mistakes live on its dashboard.
# BACKPROP_HUB_INSIGHTS=off leaves it out (the kernels then send nothing).
INSIGHTS = "insights"
if os.environ.get("BACKPROP_HUB_INSIGHTS", "on").lower() not in ("off", "0", "false", "no"):
    INSIGHTS_PORT = int(os.environ.get("BACKPROP_HUB_INSIGHTS_PORT", PORT + 3))
    INSIGHTS_URL = f"http://127.0.0.1:{INSIGHTS_PORT}"
    c.JupyterHub.services.append({
        "name": INSIGHTS,
        "url": INSIGHTS_URL,
        "command": [sys.executable, "-m", "helpers.insights.service"],
        # SQLite (WAL) in the state directory; a postgresql:// URL here and it is PostgreSQL
        "environment": {"BACKPROP_INSIGHTS_DB": os.environ.get("BACKPROP_HUB_INSIGHTS_DB",
                                                               f"sqlite:///{STATE / 'insights.sqlite'}")},
        "cwd": str(STATE),
        # the dashboard asks the hub for this scope at login: only a user who holds it gets it
        "oauth_client_allowed_scopes": ["custom:insights:dashboard"],
        "oauth_no_confirm": True,  # the hub's own service: no "authorize access?" page
        "display": True,  # listed in the hub's Services menu
    })
    c.JupyterHub.custom_scopes.update({
        "custom:insights:dashboard": {"description": "See the class's live insights dashboard (every learner's events)."},
    })
    # the teachers: a group, and a role that gives the group the dashboard
    c.JupyterHub.load_groups.update({"instructors": {"users": [INSTRUCTOR]}})
    c.JupyterHub.load_roles.append({
        "name": "insights-teacher",
        "description": "The class insights dashboard",
        "scopes": ["custom:insights:dashboard"],
        "groups": ["instructors"],
    })
    # every user may reach the service (their own events, and sending them) ...
    c.JupyterHub.extra_user_scopes.add(f"access:services!service={INSIGHTS}")
    # ... and so may the token their server gets (the kernels inherit it): the server role's scopes, plus this
    c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server",
                                     f"access:services!service={INSIGHTS}"]
    # where the kernels send events: the service directly, not through the proxy
    c.Spawner.environment["BACKPROP_INSIGHTS_URL"] = f"{INSIGHTS_URL}/services/{INSIGHTS}/"
