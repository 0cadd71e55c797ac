# DPRK–Russia military cooperation: sourced data, analysis notebooks and a bilingual report.
# `make` lists the targets. The pipeline is a DAG of file targets: validate -> clean -> analyses -> reports.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules --no-print-directory
# the cores this process may use: nproc without OMP_NUM_THREADS / OMP_THREAD_LIMIT, which it would
# otherwise obey (the OMP_NUM_THREADS=1 that this Makefile exports to its recipes, or that a user
# sets for BLAS, would make every build and `make test` run on one core)
JOBS ?= $(shell env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 2)
ifeq (,$(filter -j% j%,$(MAKEFLAGS))$(BUILD_LOCKED))
MAKEFLAGS += -j$(JOBS)
endif

# ---- parameters (override on the command line: make report AS_OF=2024-06-30 REPORT_LANGS=en)
AS_OF ?=
REPORT_LANGS ?= en de
ROUNDS_PER_CONTAINER_LOW ?= 300
ROUNDS_PER_CONTAINER_HIGH ?= 500
ESTIMATOR_TYPES ?= all
SWEEP_VALUES ?= 100 200 300 400 500 600
POOL_SMOOTHNESS ?= 3
POOL_BAND ?= 0.8
POOL_WARRING ?= in
LAB_PORT ?= 8888
BASE ?=
VERSION ?=
# every parameter is taken literally (a `$(...)` in a value is text, never run by make) and
# without surrounding spaces; build.params checks them and recipes quote them with shquote
PARAMETERS := AS_OF REPORT_LANGS ROUNDS_PER_CONTAINER_LOW ROUNDS_PER_CONTAINER_HIGH ESTIMATOR_TYPES \
  SWEEP_VALUES POOL_SMOOTHNESS POOL_BAND POOL_WARRING LAB_PORT BASE VERSION
$(foreach v,$(PARAMETERS),$(eval override $(v) := $$(strip $$(value $(v)))))

# the environment's folder (VENV=... uses another checkout's; see "environment" below) and its python
VENV ?= .venv
PY := $(VENV)/bin/python
empty :=
space := $(empty) $(empty)
comma := ,

# ---- parameter checks: all in dprk_russia.build.params (standard library only, so it runs before
# anything is built or any folder created: with the environment's python without site where
# .venv exists, 10 ms, else with the system's python3, which a pyenv shim makes 50 ms). Skipped
# when every parameter has its default value (a no-op build stays fast) and inside the locked
# sub-make (already checked).
# $(call shquote,text): text as one single-quoted shell word. Every parameter that reaches a shell
# goes through it (tests/test_bad_input.py checks the recipes).
shquote = '$(subst ','"'"',$(1))'
ifeq ($(BUILD_LOCKED),)
# BASE, VERSION and LAB_PORT are checked (and used) only by the target that takes them
CHECKED := $(filter-out $(if $(filter diff,$(MAKECMDGOALS)),,BASE) $(if $(filter release,$(MAKECMDGOALS)),,VERSION) \
  $(if $(filter lab,$(MAKECMDGOALS)),,LAB_PORT),$(PARAMETERS))
ifneq ($(foreach v,$(CHECKED),$(v)=$($(v))|),AS_OF=| REPORT_LANGS=en de| ROUNDS_PER_CONTAINER_LOW=300| ROUNDS_PER_CONTAINER_HIGH=500| ESTIMATOR_TYPES=all| SWEEP_VALUES=100 200 300 400 500 600| POOL_SMOOTHNESS=3| POOL_BAND=0.8| POOL_WARRING=in|)
PARAM_PROBLEMS := $(shell $(foreach v,$(CHECKED),$(v)=$(call shquote,$($(v)))) \
  RAW_DIR=data/raw PYTHONPATH=$(call shquote,$(CURDIR)/src) \
  $(if $(wildcard $(PY)),$(call shquote,$(PY)) -S,python3) -m dprk_russia.build.params 2>&1)
ifneq ($(PARAM_PROBLEMS),)
$(error $(PARAM_PROBLEMS))
endif
endif
endif
# make intake FILE=...: an existing .csv path of letters, digits and . _ / - (not starting with -),
# checked here before anything runs; the recipe passes it quoted with shquote
ifeq ($(filter intake,$(MAKECMDGOALS)),intake)
INTAKE_PROBLEM := $(shell f=$(call shquote,$(value FILE)); \
  if [ -z "$$f" ]; then echo 'make intake needs FILE=<inbox.csv>, e.g. make intake FILE=inbox.csv'; \
  elif ! printf '%s' "$$f" | grep -Eq '^[A-Za-z0-9_./][A-Za-z0-9_./-]*[.]csv$$'; then \
    echo "FILE=$$f: expected a .csv path of letters, digits and . _ / - only"; \
  elif [ ! -f "$$f" ]; then echo "FILE=$$f: no such file"; fi)
ifneq ($(INTAKE_PROBLEM),)
$(error $(INTAKE_PROBLEM))
endif
endif
ifeq ($(filter diff,$(MAKECMDGOALS)),diff)
ifeq ($(strip $(BASE)),)
$(error make diff needs BASE=<commit or tag>, e.g. make diff BASE=HEAD~1)
endif
endif
override VARIANT := $(subst $(space),_,$(strip \
  $(if $(AS_OF),asof-$(AS_OF)) \
  $(if $(filter-out 3,$(POOL_SMOOTHNESS)),smooth-$(POOL_SMOOTHNESS)) \
  $(if $(filter-out 0.8,$(POOL_BAND)),band-$(POOL_BAND)) \
  $(if $(filter-out in,$(POOL_WARRING)),warring-$(POOL_WARRING)) \
  $(if $(filter-out 300,$(ROUNDS_PER_CONTAINER_LOW)),rpclow-$(ROUNDS_PER_CONTAINER_LOW)) \
  $(if $(filter-out 500,$(ROUNDS_PER_CONTAINER_HIGH)),rpchigh-$(ROUNDS_PER_CONTAINER_HIGH)) \
  $(if $(filter-out all,$(ESTIMATOR_TYPES)),types-$(subst $(comma),+,$(subst $(space),+,$(strip $(ESTIMATOR_TYPES)))))))

ifeq ($(VARIANT),)
OUT_DATA := data/processed
OUT_REPORTS := reports
BUILD := build/default
else
OUT_DATA := reports/variants/$(VARIANT)/processed
OUT_REPORTS := reports/variants/$(VARIANT)
BUILD := build/$(VARIANT)
endif

# ---- environment: .venv is created from uv.lock whenever it is missing or older than the lock
TOOLS := .tools
UV_VERSION := 0.13.9
UV := $(TOOLS)/bin/uv
# notebooks and tools import the package from this checkout's src/, whichever venv runs them
export PYTHONPATH := $(CURDIR)/src
export UV_PYTHON_DOWNLOADS := never
# Python compiles each module the first time a build, Lab or the tests import it, and keeps the
# bytecode (in .venv and in src/ beside the module, git-ignored), whatever PYTHONDONTWRITEBYTECODE
# says: compiling all 8,400 files of .venv up front took 15 s of a fresh clone's first build, and
# never keeping it recompiles about 1,900 modules in every process
unexport PYTHONDONTWRITEBYTECODE
# kernels pick matplotlib's inline backend themselves (charts show in Lab and in build/executed/);
# figure files are rendered by matplotlib's SVG and Agg canvases whatever the backend
unexport MPLBACKEND
# NumPy asks the kernel for 2 MB pages for every array of 4 MB or more; on a virtual machine that
# hands memory back to its host (as ours does) each such page is found by compacting memory and
# faulted in from the host: 360 MB of fresh arrays took 4.3 s of system time, and 0.4 s with
# 4 KB pages. Any other value in the caller's environment wins
export NUMPY_MADVISE_HUGEPAGE ?= 0
# the models fit small matrices: BLAS threads only add overhead on 2 cores
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
ifneq ($(BUILD_LOCKED),)
# the notebooks of a locked build run in one warm process that has imported everything once
# (dprk_russia.build.warm), found by the id of this make process; it ends at the goal warm-end,
# or the moment this make process ends
export DPRK_WARM := $(shell echo $$PPID)
endif

RAW := $(wildcard data/raw/*.csv)
PKG := src/dprk_russia
# the package's layers (data -> analysis -> report; build and publish drive them): a rule depends on
# every module of the layers its notebook imports, so a new module is picked up without listing it
SRC_DATA := $(PKG)/__init__.py $(sort $(wildcard $(PKG)/data/*.py))
SRC_CLEAN := $(SRC_DATA) $(PKG)/build/__init__.py $(PKG)/build/run.py $(PKG)/build/warm.py $(PKG)/build/inprocess.py $(PKG)/build/params.py $(PKG)/build/variants.py
# claims.xlsx is written from claims.csv by a step of its own (publish/export.py)
SRC_XLSX := $(SRC_DATA) $(PKG)/publish/__init__.py $(PKG)/publish/export.py
SRC_POOLED := $(SRC_CLEAN) $(sort $(wildcard $(PKG)/analysis/*.py))
SRC_ANALYSIS := $(SRC_POOLED) $(sort $(wildcard $(PKG)/report/*.py)) $(PKG)/report/styles/project.mplstyle $(PKG)/build/context.py
SRC_REPORT := $(SRC_ANALYSIS) $(sort $(wildcard $(PKG)/report/templates/*.j2 $(PKG)/report/templates/*/*.j2 $(PKG)/report/templates/*/*.csv))
INPUTS := data/raw src notebooks Makefile uv.lock pyproject.toml
# rebuilds are keyed on content: rules depend on $(HASH)/<file>.sha, rewritten only when the
# file's content changes, so `make sync` or saving an unchanged notebook in Lab rebuilds nothing
HASH = $(BUILD)/hash
HASHED := $(sort $(RAW) $(wildcard notebooks/*.py) $(SRC_REPORT) $(SRC_XLSX) $(PKG)/build/sweep.py)
# $(call sha,files): their content stamps
sha = $(patsubst %,$(HASH)/%.sha,$(1))

# Before make looks at any time, a build (the locked sub-make, or a stamp asked for by name):
# - hashes every file of $(HASHED) (one `git hash-object`, a few ms) and rewrites its .sha only
#   where the hash changed, whatever the file's time says: a file copied with an older time
#   (cp -p, tar x, rsync -t) is seen as changed, a touched one as unchanged;
# - removes each step's .done stamp that lists a file which no longer exists (the stamp lists what
#   the step wrote, see dprk_russia.build.run), so a deleted output is written again.
ifneq ($(BUILD_LOCKED)$(filter build/%,$(MAKECMDGOALS)),)
HASHED_Q := $(foreach f,$(HASHED),$(call shquote,$(f)))
STAMP_PROBLEMS := $(shell mkdir -p $(HASH) && \
  paste -d' ' <(printf '%s\n' $(HASHED_Q)) <(git hash-object -- $(HASHED_Q)) | \
  while read -r f h; do s=$(HASH)/$$f.sha; old=; [ ! -f "$$s" ] || read -r old < "$$s" || true; \
    [ "$$old" = "$$h" ] || { mkdir -p "$${s%/*}" && echo "$$h" > "$$s"; }; done; \
  for s in $(foreach f,$(wildcard $(BUILD)/*.done build/sweep/*.done),$(call shquote,$(f))); do \
    while IFS= read -r out; do [ -z "$$out" ] || [ -e "$$out" ] || { rm -f "$$s"; break; }; done < "$$s"; done 2>&1)
ifneq ($(STAMP_PROBLEMS),)
$(error content stamps: $(STAMP_PROBLEMS))
endif
endif
# listed longest first so that two cores finish together
ANALYSES := 2.0-shipments 2.2-deployments 2.3-consensus-contradictions 2.1-oil-transfers

NB_PARAMS = -p RAW_DIR data/raw -p PROCESSED_DIR $(OUT_DATA) -p REPORTS_DIR $(OUT_REPORTS) \
  $(foreach v,AS_OF ESTIMATOR_TYPES REPORT_LANGS ROUNDS_PER_CONTAINER_LOW ROUNDS_PER_CONTAINER_HIGH \
    POOL_SMOOTHNESS POOL_BAND POOL_WARRING,-p $(v) $(call shquote,$($(v))))
# a notebook step: dprk_russia.build.run's arguments to the build's warm process (or, where there is
# none, to dprk_russia.build.run itself), from a python without site that imports no package
STEP = $(PY) -I -S $(PKG)/build/warm.py --step
# $(call run_nb,notebook,label,extra papermill parameters)
run_nb = $(STEP) $(1) --label $(2) --executed $(BUILD)/executed/$(2).ipynb --stamp $@ $(NB_PARAMS) $(3)

.PHONY: warm-end help variant-name report claims-xlsx test test-quick lab sync lint clean distclean sweep bench bench-scale venv validate intake backtest datapackage validate-package changelog release diff FORCE

help: ## Show this help (the default goal)
	@echo "Usage: make TARGET [AS_OF=YYYY-MM-DD] [REPORT_LANGS='en de'] [ROUNDS_PER_CONTAINER_LOW=300] [ROUNDS_PER_CONTAINER_HIGH=500] [ESTIMATOR_TYPES=all]"
	@echo
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]+):.*## (.*)/  \1|\2/' | column -t -s '|'

# One build at a time per checkout: report, backtest, sweep, diff and clean run make again holding a lock on
# build/.lock (util-linux `flock -F`, or dprk_russia.build.lock where flock is missing; both exec make,
# so signals reach it); a second build started meanwhile says that a build is running and waits.
ifeq ($(BUILD_LOCKED),)
report claims-xlsx backtest sweep diff clean:
	@mkdir -p build; if command -v flock >/dev/null 2>&1; then \
	  flock -n build/.lock true || echo "$(LOCK_WAITING)" >&2; exec flock -F build/.lock $(MAKE) $@ warm-end BUILD_LOCKED=1; \
	else PYTHONPATH='$(CURDIR)/src' exec python3 -m dprk_russia.build.lock build/.lock $(MAKE) $@ warm-end BUILD_LOCKED=1; fi
LOCK_WAITING := [wait]  another build is running in this checkout; waiting for it to finish
else
# the last goal of a locked build: its warm process (if a notebook started one) is gone before
# make returns; a build that fails ends it as make exits (dprk_russia.build.warm). Asked every
# time (20 ms: the venv's python without site), not only when /proc/net/unix lists the warm
# process's socket: read while other programs open and close sockets, that list can miss it.
# Without the venv (make clean in a new clone) no warm process can have started
warm-end: $(filter-out warm-end,$(MAKECMDGOALS))
	@if [ -x $(call shquote,$(PY)) ]; then $(call shquote,$(PY)) -I -S $(PKG)/build/warm.py --end $(DPRK_WARM); fi
report: $(REPORT_LANGS:%=$(BUILD)/report-%.done) $(BUILD)/claims-xlsx.done datapackage.json ## Build data/processed, figures and reports/<lang>/report.{html,md} (variants go to reports/variants/)
	@echo $(call shquote,report: $(OUT_REPORTS)/{$(subst $(space),$(comma),$(REPORT_LANGS))}/report.html is up to date)

claims-xlsx: $(BUILD)/claims-xlsx.done ## Write data/processed/claims.xlsx from claims.csv (a step of make report: after cleaning, beside the analyses)
	@echo "claims-xlsx: $(OUT_DATA)/claims.xlsx is up to date"

backtest: $(BUILD)/5.0-backtest.done ## Backtest the pooled estimate at quarterly cut-offs -> reports/backtest/{backtest,summary}.csv
	@echo "backtest: $(OUT_REPORTS)/backtest/summary.csv is up to date"

sweep: $(SWEEP_VALUES:%=build/sweep/rpc-%.done) $(BUILD)/1.0-clean-claims.done ## Sweep rounds per container (SWEEP_VALUES) in parallel; summary figure in reports/sweep/
	@$(PY) -m dprk_russia.build.sweep build/sweep reports/sweep $(foreach x,$(SWEEP_VALUES),$(call shquote,$(x)))

diff: $(REPORT_LANGS:%=$(BUILD)/report-%.done) ## What changed in findings, pooled estimates, contradictions since BASE (built in build/diff/): make diff BASE=HEAD~1
	@$(PY) -m dprk_russia.publish.diff $(call shquote,$(BASE)) --head $(OUT_DATA)

clean: ## Remove generated outputs (processed data, figures, reports, build/); keeps .venv
	rm -rf build data/processed/* reports/en reports/de reports/variants reports/sweep notebooks/*.ipynb
	find . -name '.tmp-*' -not -path './.venv/*' -delete
endif

variant-name: ## Print the variant folder name of the given parameters (empty for the defaults)
	@echo $(call shquote,$(VARIANT))

# the tests run in $(JOBS) processes (pytest-xdist), each taking whole files: the tests of a file
# share its fixtures (one built clone, one Lab server, one browser), and while one process waits
# for a build, a server or a browser, the other runs unit tests; the longest files go first
# (tests/conftest.py), not xdist's largest-first order
test: $(VENV)/.synced ## Run the test suite in $(JOBS) processes (creates .venv first if needed)
	$(PY) -m pytest -n $(JOBS) --dist loadfile --no-loadscope-reorder

# the same without the end-to-end files (tests/conftest.py LONGEST_FIRST: builds, Lab, browser)
test-quick: $(VENV)/.synced ## Run the tests that build nothing and start no Lab or browser (about 30 s; make test runs all)
	$(PY) -m pytest -n $(JOBS) -m 'not end_to_end'

venv: $(VENV)/.synced ## Create or update .venv from uv.lock

validate: $(VENV)/.synced ## Check data/raw and print every problem with file, line and column
	@$(PY) -m dprk_russia.data.validate data/raw

intake: $(VENV)/.synced ## Add new figures from a small CSV once every check passes: make intake FILE=inbox.csv
	@$(PY) -m dprk_russia.data.intake -- $(call shquote,$(value FILE))

lint: $(VENV)/.synced ## Lint the code and notebooks with ruff
	$(VENV)/bin/ruff check src tests bench notebooks

datapackage: datapackage.json ## Regenerate datapackage.json (Frictionless Data Package) from the schema in src/

validate-package: datapackage.json ## Check data/raw and data/processed against datapackage.json with frictionless
	@$(PY) -m dprk_russia.publish.datapackage validate datapackage.json

changelog: $(VENV)/.synced ## Write CHANGELOG-data.md from the git history of data/raw (per release tag)
	@$(PY) -m dprk_russia.publish.changelog --out CHANGELOG-data.md

release: $(VENV)/.synced | $(UV) ## Cut a release: make release VERSION=2027.1.0 (bumps, relocks, rebuilds, changelog; then commit and tag)
	@[ -n $(call shquote,$(VERSION)) ] || { echo "usage: make release VERSION=YYYY.M.N" >&2; exit 2; }
	@$(PY) -m dprk_russia.publish.release $(call shquote,$(VERSION))
	@$(UV) lock --quiet
	@$(MAKE) report
	@$(PY) -m dprk_russia.publish.changelog --out CHANGELOG-data.md --next $(call shquote,$(VERSION))
	@printf "release %s: review, then git commit -am 'Release %s' && git tag v%s\n" $(foreach _,1 2 3,$(call shquote,$(VERSION)))

sync: $(VENV)/.synced ## Pair notebooks: create/refresh notebooks/*.ipynb from the reviewed .py files
	@# quiet: jupytext narrates every file and warns that notebooks run in Lab are "not trusted"
	@$(VENV)/bin/jupytext --sync --quiet notebooks/*.py
	@echo "sync: notebooks/*.ipynb paired with the .py notebooks"

# kernels talk to the server encrypted (CurveZMQ), so they do not warn about plain TCP; no websocket
# keep-alive pings on loopback (jupyter_server's 90 s ping timeout makes tornado warn, and a
# timeout tornado accepts would drop live connections)
LAB_QUIET := --KernelManager.transport_encryption=auto --ServerApp.tornado_settings='{"ws_ping_interval": 0}'
# opens notebooks/0.0-start-here.py; the settings in .jupyter/overrides.json (autosave off, .py files
# open as notebooks) become Lab's defaults
lab: $(VENV)/.synced ## Start JupyterLab on 127.0.0.1 with a token (LAB_PORT=8888) at the start notebook; .py notebooks open as notebooks
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp .jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(PY) -m dprk_russia.build.lab --ip=127.0.0.1 --port=$(call shquote,$(LAB_PORT)) --no-browser --ServerApp.root_dir=. \
	  --ServerApp.contents_manager_class=dprk_russia.build.lab.ContentsManager \
	  --MappingKernelManager.kernel_manager_class=dprk_russia.build.lab.KernelManager \
	  --LabApp.default_url=/lab/tree/notebooks/0.0-start-here.py \
	  $(LAB_QUIET) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: $(VENV)/.synced ## Measure the speed goals (clean rebuild vs plain scripts, each step, no-op, make test, fresh clone, cleaning scale)
	$(PY) bench/bench.py

bench-scale: $(VENV)/.synced ## Build from 100,000 claims (the real ones copied with new ids) in a temporary copy, timing each step (goals: validate + clean <= 10 s, report <= 120 s)
	$(PY) bench/scale.py

distclean: clean ## Also remove .venv and the uv bootstrap in .tools
	rm -rf $(VENV) $(TOOLS)

environment.yml: uv.lock | $(UV) ## Regenerate environment.yml (conda) from uv.lock with the same pins
	@{ echo "# Generated from uv.lock by 'make environment.yml'; do not edit. Same pins as the uv lock."; \
	  echo "name: dprk-russia"; echo "channels:"; echo "  - conda-forge"; echo "dependencies:"; \
	  echo "  - python=3.11"; echo "  - pip"; echo "  - pip:"; \
	  $(UV) export --frozen --no-hashes --format requirements-txt --no-emit-project --no-header --no-annotate \
	    | grep -v '^ *#' | sed 's/^/      - /'; echo "      - -e ."; } > $@.new && mv $@.new $@

datapackage.json: $(PKG)/publish/datapackage.py $(SRC_DATA) pyproject.toml $(VENV)/.synced
	@$(PY) -m dprk_russia.publish.datapackage write $@ && touch $@

# ---- environment
# uv is bootstrapped when the environment must be created or updated, not whenever .tools/ is
# missing: a checkout that uses an up-to-date environment elsewhere (VENV=..., as the tests' clones
# do) installs no uv of its own (pip took about 3 s of CPU for it)
UV_BOOTSTRAP = echo "[setup] bootstrapping uv $(UV_VERSION) into $(TOOLS)/" && \
  python3 -m pip install --quiet --disable-pip-version-check --no-compile --no-deps --target $(TOOLS) uv==$(UV_VERSION)
$(UV):
	@$(UV_BOOTSTRAP)

# The stamp holds the hash of the uv.lock and pyproject.toml the environment was synced from. A
# checkout whose files are newer but the same (a fresh clone that uses another checkout's
# environment through VENV=...) syncs nothing and leaves the stamp as it is: it bootstraps no
# uv, does not point the environment's editable install at its own src/, and the other
# checkout's next build does not see a new environment
$(VENV)/.synced: uv.lock pyproject.toml
	@want=$$(cat uv.lock pyproject.toml | sha256sum); \
	if [ "$$(cat $@ 2>/dev/null)" = "$$want" ]; then exit 0; fi; \
	[ -x $(UV) ] || { $(UV_BOOTSTRAP); }; \
	echo "[setup] installing the locked environment into $(VENV)/"; \
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --python python3 --quiet; \
	printf '%s\n' "$$want" > $@

# ---- stamps rewritten only when their content changes, so a change triggers a rebuild
# (also removes temporary files that a killed run may have left behind)
$(BUILD)/params-data.txt: FORCE
	@mkdir -p $(@D); printf '%s\n' $(foreach v,AS_OF ESTIMATOR_TYPES,$(call shquote,$(v)=$($(v)))) > $@.new; \
	  if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi; \
	  find $(OUT_DATA) $(OUT_REPORTS)/*/figures $(OUT_REPORTS)/*/ -maxdepth 1 -name '.tmp-*' -delete 2>/dev/null || true

# the report footer names the last commit of the inputs; rebuild the reports when it changes
$(BUILD)/input-commit.txt: FORCE
	@mkdir -p $(@D); { git log -1 --format=%h --abbrev=12 -- $(INPUTS) 2>/dev/null; \
	  git status --porcelain --untracked-files=no -- $(INPUTS) 2>/dev/null; } > $@.new || true; \
	  if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(BUILD)/params-pooled.txt: FORCE
	@mkdir -p $(@D); printf '%s\n' $(foreach v,POOL_SMOOTHNESS POOL_BAND POOL_WARRING,$(call shquote,$(v)=$($(v)))) > $@.new; \
	  if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(BUILD)/params-analysis.txt: FORCE
	@mkdir -p $(@D); printf '%s\n' $(foreach v,REPORT_LANGS ROUNDS_PER_CONTAINER_LOW ROUNDS_PER_CONTAINER_HIGH,$(call shquote,$(v)=$($(v)))) \
	  > $@.new; \
	  if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# content stamps are written before make starts (above); one missing there is written here
$(HASHED:%=$(HASH)/%.sha):
	@mkdir -p $(@D); git hash-object -- $(call shquote,$(patsubst $(HASH)/%.sha,%,$@)) > $@

# ---- pipeline
# a locked build starts its warm process here, so that its imports overlap validation
$(BUILD)/validated: $(call sha,$(RAW) $(SRC_DATA)) $(VENV)/.synced
	@$(if $(DPRK_WARM),$(PY) -S $(PKG)/build/warm.py --spawn $(DPRK_WARM) && )$(PY) -m dprk_russia.data.validate data/raw --stamp $@

$(BUILD)/1.0-clean-claims.done: $(call sha,notebooks/1.0-clean-claims.py $(SRC_CLEAN)) $(BUILD)/validated $(BUILD)/params-data.txt
	@$(call run_nb,notebooks/1.0-clean-claims.py,1.0-clean-claims)

# the spreadsheet export is not needed by any notebook: it runs after cleaning, beside the analyses;
# its stamp lists the file written, so deleting claims.xlsx runs it again. In `make report` it waits
# for 1.1 (order only: 1.1 does not make it run again), so that it queues behind the analyses, not
# before them: ready at once, it took the slot 1.1 left and held up the longest analysis by 0.5 s
$(BUILD)/claims-xlsx.done: $(call sha,$(SRC_XLSX)) $(BUILD)/1.0-clean-claims.done \
  $(if $(filter report,$(MAKECMDGOALS)),| $(BUILD)/1.1-pooled-estimate.done)
	@$(PY) -m dprk_russia.publish.export $(OUT_DATA)/claims.csv $(OUT_DATA)/claims.xlsx --stamp $@

# 1.1 shows its curves as a chart (report/charts.py, build/context.py): it depends on the report layer too
$(BUILD)/1.1-pooled-estimate.done: $(call sha,notebooks/1.1-pooled-estimate.py $(SRC_ANALYSIS)) $(BUILD)/1.0-clean-claims.done $(BUILD)/params-pooled.txt
	@$(call run_nb,notebooks/1.1-pooled-estimate.py,1.1-pooled-estimate)

# the backtest picks the pooled indicators itself (as 1.1 does): it runs beside 1.1, right after cleaning
$(BUILD)/5.0-backtest.done: $(call sha,notebooks/5.0-backtest.py $(SRC_ANALYSIS)) $(BUILD)/1.0-clean-claims.done $(BUILD)/params-pooled.txt
	@$(call run_nb,notebooks/5.0-backtest.py,5.0-backtest)

$(ANALYSES:%=$(BUILD)/%.done): $(BUILD)/%.done: $(HASH)/notebooks/%.py.sha $(call sha,$(SRC_ANALYSIS)) $(BUILD)/1.1-pooled-estimate.done $(BUILD)/params-analysis.txt
	@$(call run_nb,notebooks/$*.py,$*)

# the backtest first: make -j starts prerequisites in this order, so the longest step starts beside
# 1.1, right after cleaning, not after the analyses
$(BUILD)/report-%.done: $(call sha,notebooks/3.0-report.py $(SRC_REPORT)) $(BUILD)/5.0-backtest.done $(ANALYSES:%=$(BUILD)/%.done) $(BUILD)/params-analysis.txt $(BUILD)/input-commit.txt
	@$(call run_nb,notebooks/3.0-report.py,3.0-report-$*,-p LANG $*)

build/sweep/rpc-%.done: $(call sha,notebooks/4.0-rounds-sweep.py $(SRC_ANALYSIS) $(PKG)/build/sweep.py) $(BUILD)/1.0-clean-claims.done
	@mkdir -p build/sweep
	@$(STEP) notebooks/4.0-rounds-sweep.py --label sweep-$* --executed build/sweep/executed/rpc-$*.ipynb --stamp $@ \
	  -p PROCESSED_DIR $(OUT_DATA) -p ROUNDS_PER_CONTAINER $(call shquote,$*) -p OUT_CSV build/sweep/rpc-$*.csv
