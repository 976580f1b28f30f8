# The two commands of the README: `make demo` and `make test`.
# Both create the virtualenv on first use and install the locked dependencies.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test robustness bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/watchdesk demo

test: $(STAMP)
	$(BIN)/python -m pytest

robustness: $(STAMP)
	$(BIN)/python bench/robustness.py ../shared/feeds-real

bench: $(STAMP)
	$(BIN)/python bench/poll.py
	$(BIN)/python bench/match.py
	$(BIN)/python bench/digest.py

clean:
	rm -rf $(VENV) build *.egg-info
