# nianbao — one command to run, one to test.  `make run`  /  `make test`
#
# The environment is built from the lock files in requirements/ and nothing else: every package, transitive ones
# included, pinned with its hashes (`make lock` refreshes them on purpose). A venv is built in a folder beside
# .venv and moved into place only when every step succeeded, so a broken or missing lock never leaves a
# half-built .venv behind.
VENV      := .venv
PY        := $(VENV)/bin/python
TOOLS     := .tools
UV        := $(TOOLS)/bin/uv
LOCKS     := requirements
# the CPU build of torch lies on this machine's disk; the locks name it (torch==2.13.0+cpu), uv finds it here
WHEELS    ?= /opt/wheels
# an office's wheelhouse (see README, 离线安装): make setup OFFLINE=/path/to/wheelhouse
OFFLINE   ?=
UV_SOURCE := $(if $(OFFLINE),--offline --no-index --find-links $(OFFLINE),--find-links $(WHEELS))
PIP_SOURCE := $(if $(OFFLINE),--no-index --find-links $(OFFLINE),)
PYTHON    ?= python3
PORT      ?=

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: setup setup-dev system-deps run test test-fast bench lock wheelhouse check-locks clean

# uv itself, pinned with its hashes, in a folder of its own (a sync of the project's venv never removes it)
$(UV): $(LOCKS)/tools.lock
	rm -rf $(TOOLS) && $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -qq --require-hashes $(PIP_SOURCE) -r $(LOCKS)/tools.lock \
	  || { rm -rf $(TOOLS); echo "未能安装 uv（requirements/tools.lock）：请检查网络或离线安装包目录"; exit 1; }

# build_venv LOCK STAMP: a fresh venv from LOCK in $(VENV).new, the project installed into it (editable, no
# dependencies of its own: the lock has them all), then moved to $(VENV) in one rename (a relocatable venv:
# its scripts find their python relative to themselves)
define build_venv
	@$(MAKE) --no-print-directory check-locks
	rm -rf $(VENV).new
	$(UV) venv -q --relocatable --python $(PYTHON) $(VENV).new
	$(UV) pip sync -q --python $(VENV).new/bin/python --require-hashes $(UV_SOURCE) $(1) \
	  || { rm -rf $(VENV).new; echo "按锁文件 $(1) 安装失败（见上方提示）；原有环境未改动。"; exit 1; }
	$(UV) pip install -q --python $(VENV).new/bin/python --no-deps --no-build-isolation $(UV_SOURCE) -e . \
	  || { rm -rf $(VENV).new; echo "安装 nianbao 本身失败；原有环境未改动。"; exit 1; }
	rm -rf $(VENV) && mv $(VENV).new $(VENV)
	touch $(VENV)/$(2)
endef

$(VENV)/.base: $(UV) $(LOCKS)/base.lock pyproject.toml
	$(call build_venv,$(LOCKS)/base.lock,.base)

$(VENV)/.dev: $(UV) $(LOCKS)/dev.lock pyproject.toml
	$(call build_venv,$(LOCKS)/dev.lock,.dev)
	touch $(VENV)/.base

# the dev environment also runs the app: `make run` after `make test` does not rebuild
setup:
	@if [ -f $(VENV)/.dev ] && [ $(VENV)/.dev -nt $(LOCKS)/dev.lock ] && [ $(VENV)/.dev -nt pyproject.toml ]; \
	then echo "环境已就绪（$(VENV)）"; else $(MAKE) --no-print-directory $(VENV)/.base; fi
setup-dev: $(VENV)/.dev

# A lock that is missing, cut short or edited by hand is refused before anything is built
check-locks:
	@$(PYTHON) $(LOCKS)/check_locks.py $(LOCKS)

# Refresh the locks on purpose (needs the package registry): every package pinned with its hashes
lock: $(UV)
	$(UV) pip compile -q pyproject.toml $(LOCKS)/pins.in --generate-hashes --find-links $(WHEELS) \
	  --python-version 3.11 --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" \
	  -o $(LOCKS)/base.lock
	$(UV) pip compile -q pyproject.toml $(LOCKS)/pins.in --extra dev -c $(LOCKS)/base.lock --generate-hashes \
	  --find-links $(WHEELS) --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	  --custom-compile-command "make lock" -o $(LOCKS)/dev.lock
	$(UV) pip compile -q $(LOCKS)/tools.in --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" -o $(LOCKS)/tools.lock

# An office without a registry: on a machine of the same kind (Linux x86_64, Python 3.11) with the registry,
# download every locked package here, copy the folder and the repo over, then `make setup OFFLINE=wheelhouse`
wheelhouse:
	rm -rf wheelhouse && mkdir -p wheelhouse
	cp $(WHEELS)/torch-2.13.0+cpu-*.whl wheelhouse/
	awk '/^torch==/ {skip=1; next} /^[^ ]/ {skip=0} !skip' $(LOCKS)/dev.lock > wheelhouse/dev-without-torch.lock
	$(PYTHON) -m pip download -qq --no-deps --require-hashes -d wheelhouse -r wheelhouse/dev-without-torch.lock
	$(PYTHON) -m pip download -qq --no-deps --require-hashes -d wheelhouse -r $(LOCKS)/tools.lock
	rm wheelhouse/dev-without-torch.lock
	@echo "离线安装包已下载到 wheelhouse/（$$(ls wheelhouse | wc -l) 个文件，锁文件中共 $$(grep -c '^[a-z]' $(LOCKS)/dev.lock) 个软件包，另加 uv）"

# Debian packages the tests use: LibreOffice + CJK fonts (round-trip PDFs/DOCX), poppler, Chromium (web tests),
# PostgreSQL (the tests start their own server in a temp folder with initdb/pg_ctl)
system-deps:
	@if command -v soffice >/dev/null && command -v chromium >/dev/null && command -v pdftoppm >/dev/null \
	    && fc-list | grep -qi "noto.*cjk" && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	    echo "system packages present"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    libreoffice-writer-nogui fonts-noto-cjk fonts-wqy-zenhei poppler-utils chromium chromium-driver postgresql; \
	else echo "提示：缺少 LibreOffice/Chromium/PostgreSQL，相关测试将跳过。请以 root 运行 make system-deps"; fi

# make run            → http://127.0.0.1:7860
# make run PORT=8080  → another port;  make run ARGS="--host 0.0.0.0"  → other options of app.py
run: setup
	$(PY) app.py $(if $(PORT),--port $(PORT),) $(ARGS)

test: setup-dev system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# the fast path while working: everything but the tests marked slow (OCR, LibreOffice, Chromium, processes)
test-fast: setup-dev
	$(PY) -m pytest -m "not slow" -x -q $(PYTEST_ARGS)

bench: setup-dev
	$(PY) bench/extract.py

clean:
	rm -rf $(VENV) $(VENV).new $(TOOLS) data .pytest_cache
