"""JupyterHub configuration for a class on one server: `make hub`, or the Littlest JupyterHub.

Each learner logs in with a name and the workshop's shared password (JupyterHub's own
``SharedPasswordAuthenticator``, made for workshops: no accounts to create, one password to
write on the board; ``HUB_USERS`` limits the names to a list). Each learner's server starts
with ``classroom/hub/start.py``, which gives them their own copy of the notebooks (in
``~/notebooks``, never overwritten afterwards) and a course cache whose VGG19 weights and
paintings are links into one shared, read-only cache prepared once by the hub, so thirty
learners do not convert the weights thirty times. TensorFlow's and BLAS's threads are limited
per learner (``HUB_THREADS``), and so are memory and cores where the spawner enforces them.

Everything is read from environment variables, which `make hub` sets from its own:

=========================  =====================================  ===============================
variable                   meaning                                make hub's default
=========================  =====================================  ===============================
COURSE_HUB_PASSWORD        the shared password (8 characters+)    required (HUB_PASSWORD=...)
COURSE_HUB_USERS           allowed names, separated by spaces     anyone who knows the password
COURSE_HUB_ADMINS          admins (they log in with the admin     none
COURSE_HUB_ADMIN_PASSWORD  password, which must differ)
COURSE_HUB_IP, _PORT       the address learners open              0.0.0.0, 8000
COURSE_HUB_STATE           the hub's database, cookie secret,     build/hub
                           and (local spawner) the users' homes
COURSE_HUB_CACHE           the shared course cache                build/hub/cache
COURSE_HUB_THREADS         threads per learner (and cpu_limit)    2
COURSE_HUB_MEM_LIMIT       memory per learner (systemd spawner)   3G
COURSE_HUB_SPAWNER         ``local``: every learner's server as   local
                           the hub's own user, in
                           STATE/users/<name> (a laptop, a test);
                           ``system``: keep the spawner the
                           server has (the Littlest JupyterHub's
                           systemd spawner, real accounts)
COURSE_HUB_PROXY           configurable-http-proxy's program      build/hub-proxy/...
COURSE_HUB_QUICK           1: learners' notebooks in quick mode   (tests only)
=========================  =====================================  ===============================

On the Littlest JupyterHub, copy this file to ``/opt/tljh/config/jupyterhub_config.d/`` with
``COURSE_HUB_SPAWNER=system`` (see the README's "A JupyterHub for the class"): the proxy, the
database and the addresses stay TLJH's own, only the learners' start, environment and limits
come from here.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub defines it when it loads this file

COURSE = Path(os.environ.get("COURSE_HUB_COURSE", Path(__file__).resolve().parents[2]))
PYTHON = os.environ.get("COURSE_HUB_PYTHON", sys.executable)
SPAWNER = os.environ.get("COURSE_HUB_SPAWNER", "local")
STATE = Path(os.environ.get("COURSE_HUB_STATE", COURSE / "build" / "hub")).resolve()
CACHE = Path(os.environ.get("COURSE_HUB_CACHE", STATE / "cache")).resolve()
THREADS = int(os.environ.get("COURSE_HUB_THREADS", "2"))
PASSWORD = os.environ.get("COURSE_HUB_PASSWORD", "")
USERS = os.environ.get("COURSE_HUB_USERS", "").split()
ADMINS = os.environ.get("COURSE_HUB_ADMINS", "").split()

if SPAWNER not in ("local", "system"):
    sys.exit(f"COURSE_HUB_SPAWNER must be 'local' or 'system', not {SPAWNER!r}.")

# --- who may log in: the workshop's shared password -------------------------------------
if PASSWORD or SPAWNER == "local":
    if len(PASSWORD) < 8:
        sys.exit("The hub needs a shared password of 8 characters or more: make hub HUB_PASSWORD=...")
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = PASSWORD
    if ADMINS:
        c.Authenticator.admin_users = set(ADMINS)
        c.SharedPasswordAuthenticator.admin_password = os.environ.get("COURSE_HUB_ADMIN_PASSWORD", "")
    if USERS:
        c.Authenticator.allowed_users = set(USERS)
    else:
        c.Authenticator.allow_all = True

# --- each learner's server ---------------------------------------------------------------
c.Spawner.cmd = [PYTHON, str(COURSE / "classroom" / "hub" / "start.py")]
c.Spawner.notebook_dir = "~/notebooks"
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "COURSE_HUB_NOTEBOOKS": str(COURSE / "notebooks"),
    "COURSE_SHARED_CACHE": str(CACHE),
    "COURSE_HUB_PYTHON": PYTHON,
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # one learner's TensorFlow and NumPy use THREADS cores, not the whole server
    **{name: str(THREADS) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                       "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")},
    **({"COURSE_QUICK": "1"} if os.environ.get("COURSE_HUB_QUICK") else {}),
    **({"COURSE_PAINTINGS_URL": os.environ["COURSE_PAINTINGS_URL"]} if os.environ.get("COURSE_PAINTINGS_URL") else {}),
}
# Enforced by spawners that can (the systemd spawner of the Littlest JupyterHub); the local one cannot.
c.Spawner.cpu_limit = float(THREADS)
c.Spawner.mem_limit = os.environ.get("COURSE_HUB_MEM_LIMIT", "3G")
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

if SPAWNER == "local":
    # Every learner's server runs as the hub's own user, in a folder of their own. For a laptop or a
    # test: there is no isolation between learners beyond the folders.
    c.JupyterHub.spawner_class = "simple"
    if os.geteuid() == 0:  # a container or a CI machine: Jupyter refuses to run as root unless told
        c.Spawner.args = ["--allow-root"]
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
    ip = os.environ.get("COURSE_HUB_IP", "0.0.0.0")
    port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
    c.JupyterHub.bind_url = f"http://{ip}:{port}"
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{int(os.environ.get('COURSE_HUB_API_PORT', '8081'))}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('COURSE_HUB_PROXY_API_PORT', '8001'))}"
    proxy = os.environ.get("COURSE_HUB_PROXY",
                           str(COURSE / "build" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"))
    c.ConfigurableHTTPProxy.command = [proxy]
    c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
    # stopping the hub stops every learner's server and the proxy
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True
