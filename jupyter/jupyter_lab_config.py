"""JupyterLab settings for every ``jupyter lab`` started from ``.venv`` (``make lab``, tests).

``make`` installs this file as ``.venv/etc/jupyter/jupyter_lab_config.py``, beside
``labconfig/page_config.json``. Nothing JupyterLab does on its own reaches the network:

- no news feed: JupyterLab would fetch the Jupyter announcements (an Atom feed on the web);
- no update check: it would ask PyPI for the latest JupyterLab version;
- a read-only extension manager: the default one lists and searches extensions on PyPI.

The pinned packages install everything the templates need (the widget front-end comes with
``jupyterlab_widgets``); an analyst installs nothing from inside JupyterLab.
"""

c = get_config()  # noqa: F821  (traitlets provides it while loading the file)

c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.extension_manager = "readonly"
