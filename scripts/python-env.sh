# Sourced by install.sh and test.sh: choose the Python that gets the project's packages, as $PY.
# The Python on the PATH when it can take them: an active virtual environment, or a Python this user
# may install into that is not "externally managed" (root with pyenv here; setup-python on GitHub's
# runners). Otherwise a virtual environment in .venv/ of this checkout, which build.py then uses by itself.
PY=python3
if [ -z "${VIRTUAL_ENV:-}" ]; then
  managed=$(python3 -c 'import pathlib, sysconfig; print(int((pathlib.Path(sysconfig.get_paths()["stdlib"]) / "EXTERNALLY-MANAGED").exists()))')
  purelib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  if [ "$managed" = 1 ] || [ ! -w "$purelib" ]; then
    if [ ! -x .venv/bin/python ]; then
      echo "This Python ($(command -v python3)) cannot take packages for this user; making a virtual environment in .venv/" >&2
      if ! python3 -m venv .venv; then
        echo "Could not make .venv: install Python's venv module (Debian/Ubuntu: apt-get install python3-venv), or activate a virtual environment, then run this again." >&2
        exit 1
      fi
    fi
    PY=.venv/bin/python
  fi
fi
PIP=("$PY" -m pip install --quiet --disable-pip-version-check)
if [ "$(id -u)" = 0 ]; then PIP+=(--root-user-action=ignore); fi
