# nianbao — one command to run, one to test.  `make run`  /  `make test`
VENV   := .venv
PY     := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: setup setup-dev system-deps run test test-fast bench clean

$(VENV)/.base: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	# CPU build of torch lies on this machine's disk; a bare "torch" would pull GBs of CUDA
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q uv==0.13.9
	$(VENV)/bin/uv pip install -q --python $(PY) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(VENV)/bin/uv pip install -q --python $(PY) -e '.[dev]'
	touch $@

setup: $(VENV)/.base
setup-dev: $(VENV)/.dev

# Debian packages the tests use: LibreOffice + CJK fonts (round-trip PDFs/DOCX), poppler, Chromium (web tests),
# PostgreSQL (the tests start their own server in a temp folder with initdb/pg_ctl)
system-deps:
	@if command -v soffice >/dev/null && command -v chromium >/dev/null && command -v pdftoppm >/dev/null \
	    && fc-list | grep -qi "noto.*cjk" && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	    echo "system packages present"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    libreoffice-writer-nogui fonts-noto-cjk fonts-wqy-zenhei poppler-utils chromium chromium-driver postgresql; \
	else echo "提示：缺少 LibreOffice/Chromium/PostgreSQL，相关测试将跳过。请以 root 运行 make system-deps"; fi

run: setup
	$(PY) app.py $(ARGS)

test: setup-dev system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# the fast path while working: everything but the tests marked slow (OCR, LibreOffice, Chromium, processes)
test-fast: setup-dev
	$(PY) -m pytest -m "not slow" -x -q $(PYTEST_ARGS)

bench: setup-dev
	$(PY) bench/extract.py

clean:
	rm -rf $(VENV) data .pytest_cache
