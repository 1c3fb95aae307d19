# One entry point for everything: `make test`, `make book`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= book
DEVICE ?= auto
RECOMPUTE ?=
CHAPTERS ?= $(sort $(wildcard book/*.py))
export PYTHONHASHSEED := 0

.PHONY: help venv sync notebooks test unit nbval lint book pdf check-book bench clean

help:
	@echo "make venv | sync | notebooks | test | lint | bench | book [PROFILE=smoke|book|paper] | pdf | check-book | clean"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[book,test]"
	touch $@

venv: $(BIN)/.installed

sync: venv
	$(BIN)/jupytext --sync $(CHAPTERS)

# Store the outputs of a smoke run in the notebooks (what nbval compares against).
notebooks: sync
	$(BIN)/python tools/execute_notebooks.py $(CHAPTERS)
	$(BIN)/jupytext --sync $(CHAPTERS)

unit: venv
	$(BIN)/pytest tests

nbval: venv
	$(BIN)/pytest --nbval-lax --sanitize-with tests/sanitize.cfg book

test: venv
	$(BIN)/ruff check src tests book benchmarks tools
	$(BIN)/pytest tests book --nbval-lax --sanitize-with tests/sanitize.cfg

lint: venv
	$(BIN)/ruff check src tests book benchmarks tools

# Every page of the built book in headless Chromium (apt-get install chromium): MathJax, raw TeX,
# nan in prose, overflow at 1400 and 800 px, images, requests, console, links; screenshots saved.
check-book: venv
	$(BIN)/python tools/check_book.py _build/html --screenshots _build/screenshots

bench: venv
	$(BIN)/python -m modscale.training.bench

# RECOMPUTE=1 (or a comma-separated list of experiments, e.g. cifar_scale) recomputes results
# that would otherwise be drawn from the committed results store (results/).
book: venv
	MODSCALE_RECOMPUTE=$(RECOMPUTE) $(BIN)/python tools/build_book.py --profile $(PROFILE) --device $(DEVICE)

# One PDF of the whole book (_build/pdf/book.pdf) from the notebooks the last `make book` executed
# (Sphinx singlehtml, printed by headless Chromium), then read back and checked; page PNGs in
# _build/pdf/pages.
pdf: venv
	test -f _build/exec/_toc.yml || $(MAKE) book PROFILE=$(PROFILE)
	$(BIN)/python tools/build_pdf.py
	$(BIN)/python tools/check_pdf.py --pngs _build/pdf/pages

clean:
	rm -rf _build
