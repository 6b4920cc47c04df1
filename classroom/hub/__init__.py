"""The class's JupyterHub: its configuration (``jupyterhub_config.py``), each learner's start
(``start.py``) and the shared cache the hub prepares once (``python -m classroom.hub prepare-cache DIR``)."""
