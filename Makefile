# Set-up and everyday commands. `make demo` runs the main job, `make test` the tests;
# both create .venv and install what they need on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.xaudit-installed

.PHONY: install demo test mutation models reproduction chromium engines parser clean

$(STAMP): pyproject.toml setup.py xaudit/attribution/_maxflow.c
	$(PYTHON) -m venv $(VENV)
	# The local CPU wheel of torch first: an unpinned torch would pull GBs of CUDA packages.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/xaudit models
	$(BIN)/xaudit report -o reports/audit.html

test: $(STAMP) chromium engines parser
	$(BIN)/python -m pytest -q

# Mutation testing of the core modules ([tool.mutmut] in pyproject.toml; hours on 2 cores, not run in CI).
# Score and survivors: tests/MUTATION.md.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[mutation]'
	OMP_NUM_THREADS=1 $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

# The report's browser tests use Debian's Chromium (and poppler's pdftotext to read its printed
# PDF); install them when missing and possible.
chromium:
	@{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } && \
	  command -v pdftotext >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium poppler-utils >/dev/null) || \
	    echo "chromium/poppler-utils not installed (needs root): browser tests will be skipped"; }

# The scale tests run a local Spark and a local Ray: pyspark and Ray Data (the spark and ray extras) and a
# Java runtime for Spark (Debian's, when missing and possible).
engines: $(STAMP)
	@$(BIN)/python -c "import pyspark, ray.data" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[spark,ray]'
	@command -v java >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null) || \
	    echo "no Java runtime (installing one needs root): Spark tests will be skipped"; }

# Real agreement sentences (xaudit.datasets.linzen) are parsed by link-grammar, Debian's, run by the system Python;
# install it when missing and possible.
parser:
	@/usr/bin/python3 -c "import linkgrammar; linkgrammar.Dictionary('en')" >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq python3-link-grammar \
	    link-grammar-dictionaries-en >/dev/null) || \
	    echo "link-grammar not installed (needs root): real-sentence tests will be skipped"; }

# Retrain the shipped reference models (CPU unless DEVICE=cuda); mlm reads DATA/corpus, credit and income
# DATA/german and DATA/adult.
DEVICE ?= cpu
DATA ?= $(or $(XAUDIT_DATA_DIR),../shared/data)
models: $(STAMP)
	for m in bert gpt2-encoder lstm cnn vit; do $(BIN)/xaudit train $$m --device $(DEVICE) --out xaudit/models/shipped/$$m || exit 1; done
	$(BIN)/xaudit train mlm --device $(DEVICE) --data-dir $(DATA) --out xaudit/models/shipped/mlm
	for m in credit income; do $(BIN)/xaudit train $$m --device $(DEVICE) --data-dir $(DATA) --out xaudit/models/shipped/$$m || exit 1; done

# Abnar & Zuidema (2020) Tables 1-2 under the paper's and xaudit's protocols on gpt2-encoder, 2,000 held-out
# sentences: reports/abnar-zuidema-reproduction.md (about 10 min on 2 CPU cores).
reproduction: $(STAMP)
	$(BIN)/xaudit reproduce --model gpt2-encoder --n-evaluate 2000 --device $(DEVICE) -o reports/abnar-zuidema-reproduction.md

clean:
	rm -rf $(VENV) build *.egg-info
