# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 8501
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	@echo "nnlab on http://localhost:$(PORT)  (port taken? pick another: PORT=8600 make run)"
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Lint and format first (ruff, configured in pyproject.toml); then two workers for everything but the load tests, which measure the server's memory and CPU and so
# run alone, after the rest.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --ignore=tests/load
	$(BIN)/python -m pytest tests/load

bench: $(STAMP)
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/sweep_speed.py
	$(BIN)/python benchmarks/landscape_speed.py
	$(BIN)/python benchmarks/page_speed.py
	$(BIN)/python benchmarks/browser_speed.py
	$(BIN)/python benchmarks/replay_speed.py
	$(BIN)/python benchmarks/caps_speed.py
	$(BIN)/python benchmarks/diagnosis_speed.py
	$(BIN)/python benchmarks/sharpness_tracking.py

clean:
	rm -rf $(VENV) test-output
