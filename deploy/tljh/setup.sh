#!/usr/bin/env bash
# The class on The Littlest JupyterHub (one machine, tens of learners): run as root on a machine
# where TLJH is installed (https://tljh.jupyter.org), with the course repository checked out:
#   sudo bash deploy/tljh/setup.sh /srv/backprop-course
# Then follow docs/teaching.md ("The Littlest JupyterHub") for the teacher's account.
set -euo pipefail

COURSE=${1:-/srv/backprop-course}
USER_ENV=${TLJH_USER_ENV:-/opt/tljh/user}   # the environment every TLJH user's server runs in

if [ ! -x "$USER_ENV/bin/pip" ]; then
    echo "setup.sh: no TLJH user environment at $USER_ENV (is TLJH installed?)" >&2
    exit 1
fi
if [ ! -f "$COURSE/pyproject.toml" ]; then
    echo "setup.sh: $COURSE is not the course repository" >&2
    exit 1
fi

# 1. The course and nbgrader, into every user's environment (pyproject.toml's dependencies and
#    its `class` extra: the same packages as environment.yml and the Kubernetes image).
"$USER_ENV/bin/pip" install --no-cache-dir -e "$COURSE[class]"

# 2. nbgrader's exchange: world-writable with the sticky bit. On TLJH every user is a real Unix
#    user (jupyter-<name>), so the exchange's permissions keep submissions apart.
install -d -m 1777 /srv/nbgrader/exchange

# 3. The settings every user shares.
install -d /etc/jupyter
install -m 0644 "$COURSE/deploy/nbgrader_config.py" /etc/jupyter/nbgrader_config.py

# 4. Learners get the assignment list only; teachers enable the formgrader for themselves.
"$USER_ENV/bin/jupyter" labextension disable --level=sys nbgrader:formgrader
"$USER_ENV/bin/jupyter" labextension disable --level=sys nbgrader:course-list
"$USER_ENV/bin/jupyter" labextension disable --level=sys nbgrader:create-assignment
"$USER_ENV/bin/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.formgrader

# 5. The sandbox every submission's kernel runs in while a teacher autogrades (bubblewrap: the grader
#    refuses to run learner code without it). The teacher grades as themselves, so bwrap must be
#    able to create user namespaces as an ordinary user; Ubuntu 24.04 allows that only to programs
#    an AppArmor profile lets (kernel.apparmor_restrict_unprivileged_userns): give bwrap one.
apt-get install -y --no-install-recommends bubblewrap
if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" = "1" ] \
        && [ ! -e /etc/apparmor.d/bwrap ] && [ ! -e /etc/apparmor.d/bwrap-userns-restrict ]; then
    cat > /etc/apparmor.d/bwrap <<'PROFILE'
# installed by the backprop course's deploy/tljh/setup.sh: bubblewrap may create user namespaces
abi <abi/4.0>,
include <tunables/global>
profile bwrap /usr/bin/bwrap flags=(unconfined) {
  userns,
  include if exists <local/bwrap>
}
PROFILE
    apparmor_parser -r /etc/apparmor.d/bwrap
fi
if ! sudo -u nobody bwrap --ro-bind / / --unshare-all --die-with-parent --proc /proc --dev /dev true; then
    echo "setup.sh: bubblewrap cannot build a sandbox as an ordinary user here (user namespaces off?);" >&2
    echo "          autograding will refuse until it can: see docs/teaching.md, 'The sandbox'." >&2
    exit 1
fi

# --- the class insights service (issue 22; docs/teaching.md, "Class insights") -----------------------
# The hub starts it with the users' environment's Python, where the course already is (its
# `insights` extra adds SQLAlchemy and psycopg); TLJH loads deploy/tljh/insights_config.py from
# jupyterhub_config.d. Teachers (the dashboard): names in /srv/insights/teachers, one a line
# (INSIGHTS_TEACHERS="alice bob" before this script), or the hub's admin page, group "instructors".
"$USER_ENV/bin/pip" install --no-cache-dir -e "$COURSE[insights]"
install -d -m 0700 /srv/insights
if [ -n "${INSIGHTS_TEACHERS:-}" ]; then
    printf '%s\n' $INSIGHTS_TEACHERS > /srv/insights/teachers
fi
install -d /opt/tljh/config/jupyterhub_config.d
install -m 0644 "$COURSE/deploy/tljh/insights_config.py" /opt/tljh/config/jupyterhub_config.d/insights.py

# 6. JupyterLab by default, and reload the hub.
tljh-config set user_environment.default_app jupyterlab
tljh-config reload

echo "The class is installed. Next: docs/teaching.md, 'The Littlest JupyterHub'."
