# scaleout: the front door. `make` (no target) lists every target with its description.
# Quickstart:   make up && make loadtest
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Host-side tooling (load runner, compare, benchmarks, offline image builds, engine install, operations) lives
# under tools/; everything else at the root is the stack itself. See tools/README.md.
TOOLS := tools
# The offline stand-ins' versions, read from the image pins in compose.yaml (the one place versions are pinned),
# exported for compose.offline.yaml.
$(foreach v,$(shell $(TOOLS)/offline/image-versions.sh),$(eval export $(v)))

# Your overrides (ports, replicas, strategy...). Compose reads .env itself; make reads it for the URLs it prints.
-include .env
HTTP_PORT ?= 8080
HTTPS_PORT ?= 8443
PROMETHEUS_PORT ?= 9090
GRAFANA_PORT ?= 3000
BIND_ADDRESS ?= 127.0.0.1
# Exported once, so every script and test suite a target runs targets the same ports (a hand-off written per call
# was missed once, and the swarm tests then ran against the default ports).
export HTTP_PORT HTTPS_PORT PROMETHEUS_PORT GRAFANA_PORT BIND_ADDRESS
# nginx's HTTPS certificate and key. The defaults are the local CA's, created in $(TLS_DIR) on first `make up`.
# Set both (in .env or the environment) to drop in your own; compose reads the same variables.
TLS_DIR := .secrets/tls
TLS_DEFAULT_CERT := ./$(TLS_DIR)/server.crt
TLS_DEFAULT_KEY := ./$(TLS_DIR)/server.key
TLS_CERT_FILE ?= $(TLS_DEFAULT_CERT)
TLS_KEY_FILE ?= $(TLS_DEFAULT_KEY)

# OFFLINE=auto (default) picks offline mode when no container registry answers; OFFLINE=1/0 forces it.
OFFLINE ?= auto
# Decided once per make run (the probe takes up to 5 s), and handed to sub-makes and scripts as STACK_MODE, so a
# whole `make test` runs in one mode.
ifeq ($(origin STACK_MODE),environment)
MODE := $(STACK_MODE)
else
MODE = $(eval MODE := $(shell $(TOOLS)/host/stack-mode.sh $(OFFLINE)))$(MODE)
endif
export STACK_MODE = $(MODE)
# EXTRA_COMPOSE_FILES: more override files, e.g. make test-ops's short keep-alive timeouts.
EXTRA_COMPOSE_FILES ?=
COMPOSE_FILES = -f compose.yaml $(if $(filter offline,$(MODE)),-f compose.offline.yaml) $(foreach f,$(EXTRA_COMPOSE_FILES),-f $(f))
COMPOSE = docker compose $(COMPOSE_FILES)
# The same compose command for the test suites and tools/ (tests/lib/stack.ts reads it).
export COMPOSE_STACK = $(COMPOSE)

# `npm ci` inside the image build must trust what the host trusts (a TLS-intercepting proxy's CA,
# say): the host's CA bundle goes to the build as the optional extra_ca secret, never into a layer.
EXTRA_CA_FILE ?= $(firstword $(wildcard /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt))
export EXTRA_CA_FILE
# Compose builds with its own BuildKit client; without this it first looks for the buildx plugin.
export COMPOSE_BAKE = false

# The compose project (compose.yaml's `name:`). Override it to run a second copy of the stack beside the first,
# with other ports: COMPOSE_PROJECT_NAME=ops HTTP_PORT=8180 PROMETHEUS_PORT=9190 make up
COMPOSE_PROJECT_NAME ?= scaleout
export COMPOSE_PROJECT_NAME
# The api image's repository; a second copy of the stack (or a registry) can use its own.
API_IMAGE_REPO ?= scaleout/api
export API_IMAGE_REPO

# The stack's file secrets (rules at the end of this file): made once, random, kept in .secrets/ (ignored by git).
SECRETS := .secrets/grafana-admin-password .secrets/session-store-password .secrets/session-secret

LB ?=
N ?=
VERSION ?=
PCT ?=
SCENARIO ?= post000
RUN_ID ?= $(shell date -u +%Y%m%dT%H%M%SZ)
# The tooling's compiled output (tools/tsconfig.json: tools/, tests/ and k6/lib/ in one TypeScript project).
BUILD := $(TOOLS)/build
TOOLING := $(BUILD)/.built
RUNNER = node $(BUILD)/tools/loadrunner/src/cli.js
COMPARE_CLI = node $(BUILD)/tools/compare/src/cli.js

say = printf '\033[1m==> %s\033[0m\n' "$(1)"

.PHONY: help
help: ## Show this help
	@printf 'scaleout: nginx -> N x (NestJS under pm2-runtime cluster) -> Prometheus + Grafana, with k6\n\n'
	@printf 'Quickstart:  make up && make loadtest\n\nTargets:\n'
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}'
	@printf '\nVariables: LB=<round_robin|least_conn|ip_hash|hash|hash_consistent|random>  N=<replicas>  VERSION=<image tag>  PCT=<0..100>  SCENARIO=<name>  OFFLINE=<auto|1|0>\n'

# ---- the stack -----------------------------------------------------------------------------------

# What this machine lacks (Docker Engine, Compose v2, mmdebstrap...), said, then installed as root on Debian or
# Ubuntu. AUTO_INSTALL=0 refuses: it names what to install and exits 2, changing nothing. SETUP_FOR=test adds what
# make test needs (shellcheck, kubectl and Kubernetes' schema).
AUTO_INSTALL ?= 1
SETUP_FOR ?= up
.PHONY: setup
setup: ## Install and start what this machine lacks for make up (Docker Engine, Compose v2...), saying what and why first [AUTO_INSTALL=0 refuses]
	@AUTO_INSTALL=$(AUTO_INSTALL) $(TOOLS)/host/install-engine.sh $(SETUP_FOR) $(if $(filter offline,$(MODE)),--offline)

.PHONY: up
up: setup $(SECRETS) tls check-ports images ## Start the stack (detached), return when every service is healthy, print the URLs
	@$(call say,building the api image)
	@$(COMPOSE) build --quiet api
	@$(call say,starting the stack ($(MODE) mode$(if $(LB), LB=$(LB))))
	@started=$$(date +%s); \
	  $(if $(LB),LB_STRATEGY=$(LB)) $(COMPOSE) up -d --wait --wait-timeout 180 --remove-orphans; \
	  echo "healthy in $$(( $$(date +%s) - started )) s"
	@$(OPS)/ring.sh sync
	@$(MAKE) urls

.PHONY: tls
tls: ## Create the local CA and nginx's HTTPS certificate in .secrets/tls/ if missing (make up does), or check TLS_CERT_FILE/TLS_KEY_FILE
	@if [ "$(TLS_CERT_FILE) $(TLS_KEY_FILE)" = "$(TLS_DEFAULT_CERT) $(TLS_DEFAULT_KEY)" ]; then \
	  $(TOOLS)/host/local-ca.sh $(TLS_DIR); \
	else \
	  for v in TLS_CERT_FILE=$(TLS_CERT_FILE) TLS_KEY_FILE=$(TLS_KEY_FILE); do \
	    f=$${v#*=}; [ -n "$$f" ] || { echo "$${v%%=*} is empty: set TLS_CERT_FILE and TLS_KEY_FILE together, or neither"; exit 2; }; \
	    [ -r "$$f" ] || { echo "$${v%%=*}=$$f is not a readable file"; exit 2; }; \
	  done; \
	fi

.PHONY: check-ports
check-ports: ## Name any published port that is invalid, shared by two variables, or taken by another program (make up runs it first)
	@$(TOOLS)/host/check-ports.sh "$(BIND_ADDRESS)" \
	  HTTP_PORT=$(HTTP_PORT) HTTPS_PORT=$(HTTPS_PORT) PROMETHEUS_PORT=$(PROMETHEUS_PORT) $(if $(filter online,$(MODE)),GRAFANA_PORT=$(GRAFANA_PORT))

.PHONY: images
images: ## Build the offline stand-in images when in offline mode (no-op online)
	@if [ "$(MODE)" = offline ]; then \
	  echo "offline mode: no container registry answers, so the stack runs on stand-in images built from Debian packages (Grafana and k6 are not available offline; make loadtest uses the Node load runner)."; \
	  $(TOOLS)/offline/build-images.sh; \
	fi

.PHONY: urls
urls: ## Print the URLs of the running stack
	@printf '\n  api (through nginx)  http://127.0.0.1:%s/whoami\n' "$(HTTP_PORT)"
	@printf '  api over HTTPS, h2   https://localhost:%s/whoami  (curl --cacert %s)\n' "$(HTTPS_PORT)" "$(if $(filter $(TLS_DEFAULT_CERT),$(TLS_CERT_FILE)),$(TLS_DIR)/ca.crt,<your CA>)"
	@printf '  Prometheus           http://127.0.0.1:%s/targets\n' "$(PROMETHEUS_PORT)"
	@if [ "$(MODE)" = online ]; then \
	  printf '  Grafana              http://127.0.0.1:%s/d/load-distribution  (user admin, password in .secrets/grafana-admin-password)\n' "$(GRAFANA_PORT)"; \
	else printf '  Grafana              not available offline\n'; fi
	@printf '  strategy             %s\n\nNext: make loadtest   (then make lb LB=least_conn, make scale N=5, make ps)\n' \
	  "$$($(COMPOSE) exec -T nginx switch-lb-strategy --show 2>/dev/null || echo unknown)"

.PHONY: down
down: ## Stop and remove the stack's containers (keeps volumes)
	@$(COMPOSE) --profile loadtest --profile skewed --profile green down --remove-orphans

.PHONY: clean
clean: ## Remove containers, volumes, built tooling and reports (keeps the offline images)
	@$(COMPOSE) --profile loadtest --profile skewed --profile green down --remove-orphans --volumes
	@rm -rf $(BUILD) reports

.PHONY: purge
purge: ## Back to a new machine's state: remove every container, volume, network, image, build cache and build output the project made (keeps .secrets/)
	@$(TOOLS)/host/purge.sh

.PHONY: ps
ps: ## Show the stack's containers and their health
	@$(COMPOSE) ps

.PHONY: logs
logs: ## Follow the logs (S=<service> for one, e.g. S=nginx)
	@$(COMPOSE) logs -f --tail=100 $(S)

.PHONY: lb
lb: ## Switch nginx's strategy live, without dropping a request: make lb LB=least_conn
	@test -n "$(LB)" || { echo "usage: make lb LB=<round_robin|least_conn|ip_hash|hash|random>"; exit 2; }
	@$(COMPOSE) exec -T nginx switch-lb-strategy "$(LB)"

.PHONY: scale
scale: ## Change the number of api replicas under load: make scale N=5 (new ones gated on /readyz, removed ones drained first)
	@test -n "$(N)" || { echo "usage: make scale N=<replicas>"; exit 2; }
	@$(OPS)/scale.sh "$(N)"

# ---- zero-downtime operations ($(TOOLS)/ops/, docs/operations.md) -------------------------

# The operations run on the same stack as `make up`: same compose command, project and ports.
OPS = COMPOSE='$(COMPOSE)' $(TOOLS)/ops

.PHONY: reload
reload: ## pm2 graceful reload in every api replica, one replica and one worker at a time, gated on /readyz
	@$(OPS)/reload.sh

.PHONY: ring
ring: ## Which api container holds each slot of hash_consistent's ring (a deploy hands slots over, so keys stay put)
	@$(OPS)/ring.sh show

.PHONY: deploy
deploy: images ## Rolling deploy of the api image tagged VERSION, one replica at a time; a never-ready release is rolled back
	@test -n "$(VERSION)" || { echo "usage: make deploy VERSION=<tag>   (built from services/api if the tag does not exist)"; exit 2; }
	@$(OPS)/deploy.sh "$(VERSION)"

.PHONY: canary
canary: ## Blue-green: send PCT % of requests to the green pool (started with VERSION if not running): make canary PCT=10 VERSION=v2
	@test -n "$(PCT)" || { echo "usage: make canary PCT=<0..100> [VERSION=<tag> to start the green pool]"; exit 2; }
	@$(OPS)/pools.sh canary "$(PCT)" "$(VERSION)"

.PHONY: promote
promote: ## Blue-green: finish the release, 100 % of requests to green (blue stays up for make switch)
	@$(OPS)/pools.sh promote

.PHONY: switch
switch: ## Blue-green: flip all traffic atomically to the other pool (green unless it already has 100 %, then blue)
	@$(OPS)/pools.sh switch

.PHONY: rollback
rollback: ## Blue-green: undo, 100 % of requests to blue, then drain and remove the green pool
	@$(OPS)/pools.sh rollback

.PHONY: build-broken
build-broken: images ## Build a broken release (workers never ready) to watch make deploy refuse it: make build-broken VERSION=broken
	@test -n "$(VERSION)" || { echo "usage: make build-broken VERSION=<tag>"; exit 2; }
	@$(call say,building $(API_IMAGE_REPO):$(VERSION) with NEVER_READY=true)
	@API_VERSION=$(VERSION) $(COMPOSE) build --quiet --build-arg NEVER_READY=true api
	@echo "Next: make deploy VERSION=$(VERSION)   (it must roll back and leave every replica as it was)"

# ---- peer-to-peer balancing (post 004; docs/labs/10-scale-cube.md) -------------------------------------

STOP ?=
.PHONY: p2p
p2p: tooling ## Peer-to-peer balancing, no nginx: a Node client on the stack network round-robins over the replicas from Docker's DNS: make p2p [DURATION=10] [STOP=<replica n> to stop one partway]
	@COMPOSE='$(COMPOSE)' DURATION=$(DURATION) STOP=$(STOP) $(TOOLS)/p2p/run.sh

.PHONY: ws-broadcast
ws-broadcast: tooling ## Websockets across workers: CLIENTS socket.io clients through nginx, one broadcast from each worker, who got what (make up SOCKET_ADAPTER=memory to see it fail) [CLIENTS=24]
	@$(if $(CLIENTS),CLIENTS=$(CLIENTS)) node $(BUILD)/tools/realtime/broadcast.js

# ---- faults on demand (docs/faults.md, docs/labs/06-memory-and-errors.md) --------------------------------

# The /chaos routes exist only on a stack started with CHAOS_ENABLED=true (make up recreates the replicas with it).
FAULT ?=
MB ?=
.PHONY: chaos
chaos: ## Inject a fault through nginx on a CHAOS_ENABLED=true stack: make chaos FAULT=<error|leak|crash> [MB=64] (leak: MB retained by the worker that answers)
	@case "$(FAULT)" in error|leak|crash) ;; *) echo "usage: make chaos FAULT=<error|leak|crash> [MB=<1..256> for leak]   (start the stack with CHAOS_ENABLED=true make up)"; exit 2;; esac
	@out=$$(curl -sS -X POST -w '\nHTTP %{http_code}' "http://127.0.0.1:$(HTTP_PORT)/chaos/$(FAULT)$(if $(filter leak,$(FAULT)),?mb=$(or $(MB),10))"); \
	  echo "$$out"; \
	  if grep -q '^HTTP 404' <<<"$$out"; then echo "404: the stack runs without the /chaos routes; start it with CHAOS_ENABLED=true make up"; exit 2; fi

# ---- Docker Swarm (swarm/README.md) ---------------------------------------------------------------

# The stack on Swarm: the stack file is generated from `docker compose config` (the same files as `make up`) plus
# swarm/stack.overlay.yaml. Without DOCKER_HOST the targets run a local swarm of SWARM_NODES Docker-in-Docker
# nodes named after SWARM_NAME; with DOCKER_HOST=<a manager> they skip the local nodes and use that swarm.
SWARM_NAME ?= scaleout-swarm
SWARM_NODES ?= 3
# The local registry's port on 127.0.0.1 (images are pushed through it; the nodes pull by its network name).
SWARM_REGISTRY_PORT ?= 5000
export SWARM_NAME SWARM_NODES SWARM_REGISTRY_PORT
# The local swarm's budget: 3 nodes x 2 api tasks on 2 cores and 24 GiB (docs/swarm.md, "Resource use").
SWARM_API_REPLICAS ?= 6
SWARM_API_CPUS ?= 0.5
SWARM_API_MEMORY ?= 256M
# One JSON line per request from every api worker (at debug), so make swarm-logs REQUEST_ID= finds the api's side.
SWARM_API_LOG_LEVEL ?= debug
NODE ?=
REQUEST_ID ?=
NEVER_READY ?=
SWARM = COMPOSE_FILES='$(COMPOSE_FILES)' API_REPLICAS=$(SWARM_API_REPLICAS) API_CPUS=$(SWARM_API_CPUS) API_MEMORY=$(SWARM_API_MEMORY) API_LOG_LEVEL=$(SWARM_API_LOG_LEVEL) \
  $(TOOLS)/swarm/swarm.sh
# The stack's secrets (the same files as `make up`'s) and nginx's certificate become Swarm secrets.
SWARM_TOOLING = setup $(TOOLING) $(SECRETS) tls images

# The local swarm publishes the stack's ports on its manager node, and the registry's: checked before anything is
# built or started, as make up does (a clash found by `docker run` left half a swarm). Its own ports count as free.
.PHONY: swarm-check-ports
swarm-check-ports: ## Name any port the local swarm would publish that is invalid, shared, or taken (make swarm-up runs it first)
	@$(if $(DOCKER_HOST),true,OWNER_LABEL=org.scaleout.swarm=$(SWARM_NAME) $(TOOLS)/host/check-ports.sh 127.0.0.1 \
	  HTTP_PORT=$(HTTP_PORT) HTTPS_PORT=$(HTTPS_PORT) PROMETHEUS_PORT=$(PROMETHEUS_PORT) GRAFANA_PORT=$(GRAFANA_PORT) SWARM_REGISTRY_PORT=$(SWARM_REGISTRY_PORT))

.PHONY: swarm-up
swarm-up: swarm-check-ports $(SWARM_TOOLING) ## Local swarm of SWARM_NODES nodes (3) + registry, push the images, deploy the stack, wait until converged, print the URLs
	@$(SWARM) up

.PHONY: swarm-down
swarm-down: ## Remove the stack and the whole local swarm (nodes, registry, volumes, network); idempotent
	@$(SWARM) down

.PHONY: swarm-deploy
swarm-deploy: $(SWARM_TOOLING) ## Rolling update of the api to VERSION=<tag> (start-first; Swarm rolls a failing release back by itself)
	@test -n "$(VERSION)" || { echo "usage: make swarm-deploy VERSION=<tag>   (make swarm-build VERSION=<tag> first)"; exit 2; }
	@$(SWARM) deploy "$(VERSION)"

.PHONY: swarm-build
swarm-build: $(SWARM_TOOLING) ## Build the api image VERSION=<tag> for make swarm-deploy (NEVER_READY=true: a release that never gets ready)
	@test -n "$(VERSION)" || { echo "usage: make swarm-build VERSION=<tag> [NEVER_READY=true]"; exit 2; }
	@NEVER_READY=$(NEVER_READY) $(SWARM) build "$(VERSION)"

.PHONY: swarm-scale
swarm-scale: ## Change the number of api tasks: make swarm-scale N=6 (nginx and Prometheus follow through DNS)
	@test -n "$(N)" || { echo "usage: make swarm-scale N=<tasks>"; exit 2; }
	@$(SWARM) scale "$(N)"

.PHONY: swarm-ps
swarm-ps: ## The swarm's nodes and the tasks running on each
	@$(SWARM) ps

.PHONY: swarm-logs
swarm-logs: ## Every node's logs merged through the manager; REQUEST_ID=<id> shows one request's nginx and api lines
	@$(SWARM) logs "$(REQUEST_ID)"

.PHONY: swarm-drain
swarm-drain: ## Move every task off a node: make swarm-drain NODE=node2
	@test -n "$(NODE)" || { echo "usage: make swarm-drain NODE=<hostname>   (make swarm-ps lists them)"; exit 2; }
	@$(SWARM) drain "$(NODE)"

.PHONY: swarm-activate
swarm-activate: ## Let a drained node take tasks again: make swarm-activate NODE=node2
	@test -n "$(NODE)" || { echo "usage: make swarm-activate NODE=<hostname>"; exit 2; }
	@$(SWARM) activate "$(NODE)"

.PHONY: swarm-config
swarm-config: $(SWARM_TOOLING) ## Print the generated stack file (docker compose config + swarm/stack.overlay.yaml)
	@$(SWARM) config

# ---- load ----------------------------------------------------------------------------------------

# The topology the run must cover: EXPECTED_REPLICAS (a count, or names: api-4,api-5,api-6) and EXPECTED_WORKERS, both
# or neither. Not given, they are read from the running stack right before the run: the workers Prometheus scrapes,
# of the api containers that run (tools/lib/liveWorkers.ts, the same definition the stack tests use). Replica
# numbers grow across deploys, so no fixed default could be right. The runner reads them from the environment, k6
# gets them as -e; post000's thresholds then fail the run when any of those workers served nothing
# (k6/lib/scenarios.js assertSpread, k6/lib/fairness.js).
LIVE_TOPOLOGY = node $(BUILD)/tools/loadrunner/src/liveTopology.js --prometheus http://127.0.0.1:$(PROMETHEUS_PORT)
# Online, k6 in the compose k6 service with this environment's DURATION, VUS... and EXPECTED_*: as you (K6_USER), no
# dependency restarted, failing when no report was written (tools/lib/k6Compose.ts says why for each).
K6_RUN = node $(BUILD)/tools/loadrunner/src/k6ComposeRun.js

.PHONY: loadtest
loadtest: ## Run post 000's experiment (1000 VUs, 30 s) through nginx, or SCENARIO=<name>; non-zero exit when thresholds fail
	@$(MAKE) tooling
	@topology=$$(EXPECTED_REPLICAS='$(EXPECTED_REPLICAS)' EXPECTED_WORKERS='$(EXPECTED_WORKERS)' $(LIVE_TOPOLOGY)) || exit 2; \
	eval "export $$topology"; \
	if [ "$(MODE)" = online ]; then \
	  script=$${K6_SCRIPT:-$$($(RUNNER) --scenario $(SCENARIO) --k6-script)} || exit 2; \
	  $(K6_RUN) --script $$script --run-id $(RUN_ID); \
	else \
	  echo "offline mode: k6 is not available, running the Node load runner with the same scenario and summary"; \
	  mkdir -p reports; \
	  $(RUNNER) --scenario $(SCENARIO) --base-url http://127.0.0.1:$(HTTP_PORT) --run-id $(RUN_ID) \
	    --json reports/$(RUN_ID)-$(SCENARIO).json --markdown reports/$(RUN_ID)-$(SCENARIO).md; \
	fi
	@printf '\nNext: look at the per-worker split above, Prometheus (http://127.0.0.1:%s) or Grafana; try make lb LB=least_conn and run it again.\n' "$(PROMETHEUS_PORT)"

# ---- comparisons -----------------------------------------------------------------------------------
# Both run one scenario per variant on the RUNNING stack (make up first), print the side-by-side table and write
# reports/<stamp>-<kind>/ (comparison.json, summary.md, report.html). Online the load is k6; offline the Node runner.
STRATEGIES ?= round_robin least_conn ip_hash hash random
COMPARE_FLAGS = $(if $(DURATION),--duration $(DURATION)) $(if $(VUS),--vus $(VUS)) $(if $(RATE),--rate $(RATE))
# SCENARIO defaults to post000 for loadtest and compare-cluster; strategies differ most on `skewed`, so that is
# compare's default unless SCENARIO was given on the command line or in the environment.
COMPARE_SCENARIO = $(if $(filter file,$(origin SCENARIO)),skewed,$(SCENARIO))

.PHONY: compare
compare: tooling ## Same scenario under each nginx strategy, side by side: make compare [SCENARIO=skewed] [STRATEGIES="round_robin least_conn"]
	@$(call say,comparing strategies ($(STRATEGIES)) on scenario $(COMPARE_SCENARIO))
	@$(COMPARE_CLI) strategies --scenario $(COMPARE_SCENARIO) --variants "$(STRATEGIES)" $(COMPARE_FLAGS)

.PHONY: compare-cluster
compare-cluster: tooling ## Post 000 in one replica: 1 worker vs N, and SCHED_RR vs SCHED_NONE: make compare-cluster [SCENARIO=post000]
	@$(call say,comparing 1 worker vs N workers in one replica on scenario $(SCENARIO) (the replicas are recreated, then restored))
	@$(COMPARE_CLI) cluster --scenario $(SCENARIO) $(COMPARE_FLAGS)

.PHONY: compare-connections
compare-connections: tooling ## One replica, N workers: how 1, 2, 4, 64 connections split between its workers, and 1 with upstream keep-alive off
	@$(call say,comparing connection counts through nginx to one replica, then upstream keep-alive off (the replicas and nginx are recreated, then restored))
	@$(COMPARE_CLI) connections $(if $(filter file,$(origin SCENARIO)),,--scenario $(SCENARIO)) $(COMPARE_FLAGS)

.PHONY: compare-sessions
compare-sessions: tooling ## Sessions: memory vs redis store x round_robin/ip_hash/hash x 1/2 workers, 20 calls per cookie-jar client (replicas recreated, then restored)
	@$(call say,comparing session stores x strategies x workers per replica (the replicas are recreated per store and worker count, then restored))
	@node $(BUILD)/tools/compare/src/sessions/cli.js $(if $(CLIENTS),--clients $(CLIENTS)) $(if $(CALLS),--calls $(CALLS))
	@echo "Next: open the report above; docs/state.md explains each cell."

.PHONY: compare-hash
compare-hash: tooling ## Consistent vs plain hash: 1,000 X-Client-Id ids at N=3, 4, 4 recreated, back to 3, after make deploy; how many moved
	@$(call say,mapping client ids to replicas under hash_consistent and hash while scaling 3 -> 4 -> 3 and deploying (the replicas are recreated))
	@node $(BUILD)/tools/compare/src/hashRing/cli.js $(if $(IDS),--ids $(IDS))
	@echo "Next: make lb LB=hash_consistent keeps it; nginx/strategies/hash_consistent.conf explains the ring."

# ---- pictures ----------------------------------------------------------------------------------------
# A Grafana panel drawn offline: the panel's own PromQL, read from grafana/dashboards/*.json by its title, sent to
# the running Prometheus over the last SINCE (query_range) and drawn as reports/<stamp>-panel/<slug>.svg, the
# same palette as the compare reports. For a slide, a report or a machine with no Grafana (offline mode).
SINCE ?= 5m

.PHONY: panel
panel: tooling ## A dashboard panel as an SVG from the running Prometheus: make panel PANEL="Requests/s per worker" [SINCE=5m]
	@test -n "$(PANEL)" || { echo 'make panel: name the panel, e.g. make panel PANEL="Requests/s per worker" (titles: grafana/dashboards/*.json)' >&2; exit 2; }
	@node $(BUILD)/tools/panels/src/cli.js --panel "$(PANEL)" --since "$(SINCE)" --prometheus http://127.0.0.1:$(PROMETHEUS_PORT) \
	  --command 'make panel PANEL="$(PANEL)" SINCE=$(SINCE)' $(if $(PANEL_OUT),--out "$(PANEL_OUT)")
	@echo "Next: open the .svg above in a browser; make panel PANEL=\"Share of user traffic (%)\" draws another."

# ---- tests ---------------------------------------------------------------------------------------

.PHONY: tooling
tooling: $(TOOLING) ## Install and build the host tooling (load runner, stack tests, benchmarks)
$(TOOLING): $(TOOLS)/package.json $(TOOLS)/package-lock.json $(TOOLS)/tsconfig.json $(shell find $(TOOLS) tests k6/lib -path $(TOOLS)/node_modules -prune -o -path $(BUILD) -prune -o \( -name '*.ts' -o -name '*.js' \) -print 2>/dev/null)
	@$(call say,building host tooling)
	@# A clean output folder: a deleted or renamed source must not leave its old .js (or test) behind.
	@cd $(TOOLS) && npm ci --no-audit --no-fund --loglevel=error && rm -rf build/tools build/tests build/k6 && npx tsc -p tsconfig.json
	@touch $@

.PHONY: test
test: ## Run every test: lint, app, tooling, configs, the whole stack end to end, the operations under load, faults, the swarm, then the labs of LABS_IN_MAKE_TEST (CI runs this)
	@$(MAKE) setup SETUP_FOR=test
	@# Every image the suites need, stand-ins and the swarm's, built at once: they download and unpack in parallel.
	@$(TOOLS)/offline/build-images.sh $(if $(filter offline,$(MODE)),--all,--swarm)
	@$(MAKE) lint
	@$(MAKE) test-api
	@$(MAKE) test-tooling
	@$(MAKE) test-config
	@$(MAKE) test-stack
	@$(MAKE) test-ops
	@$(MAKE) test-faults
	@$(MAKE) test-swarm
	@$(MAKE) test-labs LABS="$(LABS_IN_MAKE_TEST)"
	@$(call say,all tests passed)

.PHONY: lint
lint: ## shellcheck (Debian's package; .shellcheckrc) over every git-tracked shell script, ~3 s
	@$(call say,shellcheck over every shell script (tools/lint/shell-scripts.sh lists them))
	@command -v shellcheck >/dev/null || { echo "shellcheck is missing: apt-get install shellcheck (tools/host/install-engine.sh installs it)"; exit 2; }
	@files=$$($(TOOLS)/lint/shell-scripts.sh); shellcheck $$files; echo "  $$(wc -w <<<"$$files") scripts, no findings"

.PHONY: test-api
test-api: ## The app's tests, including real pm2-runtime with 2 workers on the host
	@$(call say,services/api tests)
	@cd services/api && npm ci --no-audit --no-fund --loglevel=error && npm test

.PHONY: test-tooling
test-tooling: tooling ## Unit tests of the load runner and the test helpers
	@$(call say,tooling unit tests)
	@node --test $(BUILD)/tools/loadrunner/test/ $(BUILD)/tests/unit/ $(BUILD)/tools/compare/test/

.PHONY: test-config
test-config: tooling images $(SECRETS) tls ## Static checks: compose config, nginx -t per strategy, promtool, dashboards, k8s manifests
	@$(call say,compose config)
	@$(COMPOSE) config --quiet
	@$(call say,nginx -t for every strategy)
	@# The output is captured before grep reads it: `cmd | grep -q` under pipefail fails at random when grep exits
	@# at its first match and the writer gets SIGPIPE.
	@for s in $$(cd nginx/strategies && ls *.conf | sed 's/\.conf$$//'); do \
	  printf '  %-12s ' "$$s"; \
	  out=$$(LB_STRATEGY=$$s $(COMPOSE) run --rm --no-deps -T nginx nginx -t 2>&1) || true; \
	  if grep -q 'test is successful' <<<"$$out"; then echo ok; else echo FAILED; echo "$$out"; exit 1; fi; \
	done
	@$(call say,promtool check config / test rules)
	@$(COMPOSE) run --rm --no-deps -T --entrypoint promtool prometheus check config /etc/prometheus/prometheus.yml
	@$(COMPOSE) run --rm --no-deps -T --entrypoint sh prometheus -c 'promtool test rules /etc/prometheus/tests/*.test.yml'
	@$(call say,static checks of compose, versions and dashboards)
	@node --test $(BUILD)/tests/static/
	@$(MAKE) k8s-validate

.PHONY: test-stack
test-stack: tooling ## End to end: up, load through nginx, check spread and metrics, down (leaves nothing running)
	@$(call say,stack tests)
	@$(MAKE) up
	@# Online, k6 itself runs first, so the dashboard test also finds k6's remote-written results.
	@if [ "$(MODE)" = online ]; then $(K6_RUN) --script 01-smoke --run-id test-stack; fi
	@trap '$(STACK_TEARDOWN)' EXIT; node --test --test-concurrency=1 $(BUILD)/tests/stack/

# The operations tests run on a stack with short keep-alive timeouts (nginx 4 s < app 5 s, so the keep-alive
# race test meets many idle closes in a minute) and Prometheus data in a tmpfs (see that file).
OPS_TEST_COMPOSE := tests/ops/compose.ops-test.yaml

.PHONY: test-ops
test-ops: tooling ## Zero-downtime operations under steady load (reload, deploy, scale, lb, blue-green, canary, keep-alive race), 0 failures each; plus a negative control
	@$(call say,operations tests: each under a steady load through nginx; figures in reports/ops-figures.md)
	@$(MAKE) up EXTRA_COMPOSE_FILES=$(OPS_TEST_COMPOSE)
	@trap '$(MAKE) down EXTRA_COMPOSE_FILES=$(OPS_TEST_COMPOSE) >/dev/null 2>&1; docker volume rm -f $(COMPOSE_PROJECT_NAME)_prometheus-ops-test >/dev/null; left=$$(docker ps -q --filter label=com.docker.compose.project=$(COMPOSE_PROJECT_NAME)); \
	  if [ -n "$$left" ]; then echo "containers left running after down: $$left"; exit 1; fi' EXIT; \
	  EXTRA_COMPOSE_FILES=$(OPS_TEST_COMPOSE) API_GREEN_REPLICAS=2 \
	  COMPOSE_STACK='$(COMPOSE) -f $(OPS_TEST_COMPOSE)' node --test --test-concurrency=1 $(BUILD)/tests/ops/
	@echo "Next: reports/ops-figures.md has one row per operation (docs/operations.md explains them)"

# The swarm suite: a local swarm of 3 nodes with 3 api tasks (one per node: a rollout replaces 3, not 6; 3 -> 6 -> 3
# still puts 2 on each), the tests under a steady load (tests/swarm/), then the swarm removed (its last test checks
# swarm-down leaves nothing). SWARM_TEST_OVERLAY shortens the api's healthcheck and Swarm's monitor window for the
# tests only (its comments say why the rule still holds). About 8 minutes on an idle 2-core machine (docs/swarm.md).
SWARM_TEST_OVERLAY = tests/swarm/stack.test-overlay.yaml
.PHONY: test-swarm
test-swarm: tooling ## Docker Swarm under steady load: rolling update, automatic rollback, drain, scale, node loss, logs, metrics, sessions, websockets, bad input; ~8 min
	@$(call say,swarm tests: a local swarm $(SWARM_NAME) of $(SWARM_NODES) nodes; figures in reports/swarm-figures.md)
	@mkdir -p reports && printf '| operation | requests sent | failed | p99 before -> during | duration | notes |\n| --- | --- | --- | --- | --- | --- |\n' > reports/swarm-figures.md
	@trap '$(MAKE) swarm-down >/dev/null 2>&1' EXIT; started=$$(date +%s); \
	  export SWARM_EXTRA_OVERLAYS=$(SWARM_TEST_OVERLAY); \
	  $(MAKE) swarm-up SWARM_API_REPLICAS=3 || exit 1; \
	  echo "swarm up in $$(( $$(date +%s) - started )) s"; \
	  rc=0; OFFLINE=$(if $(filter offline,$(MODE)),1,0) node --test --test-concurrency=1 $(BUILD)/tests/swarm/ || rc=$$?; \
	  printf '\nFigures of this run (reports/swarm-figures.md):\n\n'; cat reports/swarm-figures.md; \
	  echo "make test-swarm: $$(( $$(date +%s) - started )) s (load average now: $$(cut -d' ' -f1-3 /proc/loadavg))"; exit $$rc

# The workshop labs (docs/labs/): one stack for all of them, each lab's ```sh step blocks run as written with its
# ```env fast variables, each ```expect block checked (tests/labs/labs.test.ts). LABS="01 03" runs a subset.
LABS ?=
# The labs make test runs. The other four (01 cluster, 02 uneven workers, 03 strategies, 05 releases) cost about
# 7 minutes more, because they recreate replicas once per variant, which would take .ci/run past its 40-minute budget;
# what they promise is asserted in make test by tests/stack/40-compare (orderings, spreads, the ring) and
# tests/ops (every release operation), and make test-labs runs all ten (docs/labs/FACILITATOR.md#timings).
LABS_IN_MAKE_TEST := 04 06 07 08 09 10

.PHONY: test-labs
test-labs: tooling ## Every workshop lab in docs/labs/ run as written on one shared stack, each "you should see" asserted; LABS="01 03" for some (~5 min)
	@$(call say,workshop labs: the steps of docs/labs/NN-*.md on one stack$(if $(LABS), (LABS=$(LABS))))
	@$(MAKE) up
	@started=$$(date +%s); trap '$(STACK_TEARDOWN); echo "make test-labs took $$(( $$(date +%s) - started )) s"' EXIT; \
	  LABS='$(LABS)' OFFLINE=$(if $(filter offline,$(MODE)),1,0) \
	  node --test --test-concurrency=1 $(BUILD)/tests/labs/

# The e2e targets' EXIT trap: bring the stack down, and fail if any container of the project is still running.
STACK_TEARDOWN = $(MAKE) down >/dev/null 2>&1; left=$$(docker ps -q --filter label=com.docker.compose.project=$(COMPOSE_PROJECT_NAME)); \
  if [ -n "$$left" ]; then echo "containers left running after down: $$left"; exit 1; fi

.PHONY: test-faults
test-faults: tooling ## Faults under steady load (crash, leak, kill, stop, bad input, slowloris, rate limit) and hardening; own stack (how long: docs/testing.md)
	@$(call say,fault tests: a stack with CHAOS_ENABLED=true, figures in reports/faults-figures.md)
	@# The /chaos routes exist only with CHAOS_ENABLED=true: this stack is recreated with it, and torn down after.
	@CHAOS_ENABLED=true $(MAKE) up
	@mkdir -p reports && printf '| scenario | requests sent | failed | p99 before -> during | recovery |\n| --- | --- | --- | --- | --- |\n' > reports/faults-figures.md
	@trap '$(STACK_TEARDOWN)' EXIT; node --test --test-concurrency=1 $(BUILD)/tests/faults/
	@printf '\nFigures of this run (reports/faults-figures.md):\n\n'; cat reports/faults-figures.md

# ---- Kubernetes (k8s/, k8s/README.md) ----------------------------------------------------------------------

OVERLAY ?= kind
KUBECTL ?= kubectl
KIND ?= kind
KIND_CLUSTER ?= scaleout
K8S_NAMESPACE := scaleout
# kubectl 1.36 and Kubernetes 1.36's schema, both installed by tools/host/install-engine.sh (from Debian sid).
K8S_SCHEMA_DIR ?= /usr/local/share/scaleout/k8s-schema
export KUBECTL K8S_SCHEMA_DIR
K8S_NEED_KUBECTL = $(KUBECTL) version --client -o json 2>/dev/null | grep -qE '"minor": *"(3[0-9]|[4-9][0-9])' || \
  { echo "kubectl >= 1.30 is missing ($(KUBECTL)): run make setup SETUP_FOR=test as root (installs Debian sid's kubectl 1.36)"; exit 2; }

.PHONY: k8s-render
k8s-render: ## Print the rendered manifests of one overlay to stdout: make k8s-render [OVERLAY=kind|production]
	@$(K8S_NEED_KUBECTL)
	@test -d k8s/overlays/$(OVERLAY) || { echo "no overlay '$(OVERLAY)'; overlays: $$(ls k8s/overlays | tr '\n' ' ')" >&2; exit 2; }
	@$(KUBECTL) kustomize k8s/overlays/$(OVERLAY)

.PHONY: k8s-validate
k8s-validate: tooling ## Render every overlay, validate it strictly against Kubernetes 1.36's schema, cross-check it with the app and compose (no cluster)
	@$(call say,k8s: render every overlay, strict schema validation, cross-checks against the app and compose)
	@$(K8S_NEED_KUBECTL)
	@test -s $(K8S_SCHEMA_DIR)/schema.yaml || { echo "no Kubernetes schema in $(K8S_SCHEMA_DIR): run make setup SETUP_FOR=test as root"; exit 2; }
	@node --test $(BUILD)/tests/k8s/

.PHONY: k8s-up
k8s-up: .secrets/grafana-admin-password tls ## Create a kind cluster, load the api image, apply the kind overlay, wait for the rollouts (needs kind and a registry)
	@$(K8S_NEED_KUBECTL)
	@command -v $(KIND) >/dev/null || { echo "kind is not installed: make k8s-up needs kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"; \
	  echo "and a container registry for kind's node image (kindest/node). Here: make k8s-render / make k8s-validate need neither."; exit 2; }
	@docker info >/dev/null 2>&1 || { echo "no Docker engine answers: kind runs its node as a container (tools/host/install-engine.sh starts one)"; exit 2; }
	@if [ "$(MODE)" = offline ]; then echo "no container registry answers: kind needs its node image (kindest/node) from one. make k8s-validate works offline."; exit 2; fi
	@$(call say,kind cluster $(KIND_CLUSTER))
	@$(KIND) get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)' || $(KIND) create cluster --name $(KIND_CLUSTER) --config k8s/overlays/kind/kind-cluster.yaml --wait 120s
	@$(call say,building scaleout/api:dev and loading it into the node)
	@DOCKER_BUILDKIT=1 docker build --quiet $(if $(EXTRA_CA_FILE),--secret id=extra_ca,src=$(EXTRA_CA_FILE)) -t scaleout/api:dev services/api >/dev/null
	@$(KIND) load docker-image scaleout/api:dev --name $(KIND_CLUSTER)
	@$(call say,applying k8s/overlays/kind)
	@$(MAKE) --no-print-directory k8s-secrets
	@$(KUBECTL) apply -k k8s/overlays/kind
	@for d in api nginx prometheus grafana; do $(KUBECTL) -n $(K8S_NAMESPACE) rollout status deployment/$$d --timeout=180s; done
	@printf '\n  api (through nginx)  http://127.0.0.1:8080/whoami\n  Prometheus           kubectl -n $(K8S_NAMESPACE) port-forward svc/prometheus 9090\n'
	@printf '  Grafana              kubectl -n $(K8S_NAMESPACE) port-forward svc/grafana 3000  (user admin, password in .secrets/grafana-admin-password)\n'
	@printf '\nNext: kubectl -n $(K8S_NAMESPACE) rollout restart deployment/api   (watch it with k6 or make loadtest), make k8s-down\n'

.PHONY: k8s-secrets
k8s-secrets: .secrets/grafana-admin-password tls ## Create the namespace and the Secrets the manifests name but never hold, in kubectl's current cluster
	@$(K8S_NEED_KUBECTL)
	@$(KUBECTL) apply -f k8s/base/namespace.yaml >/dev/null
	@# The one list of what the manifests expect from outside: make k8s-validate reads these `create` lines.
	@# Grafana's admin password: a Secret made from the file, never part of the manifests.
	@$(KUBECTL) -n $(K8S_NAMESPACE) create secret generic grafana-admin --from-file=password=.secrets/grafana-admin-password \
	  --dry-run=client -o yaml | $(KUBECTL) apply -f - >/dev/null
	@# nginx's certificate and key (HTTPS on 8443): the compose stack's, from the local CA or TLS_CERT_FILE/TLS_KEY_FILE.
	@$(KUBECTL) -n $(K8S_NAMESPACE) create secret tls nginx-tls --cert=$(TLS_CERT_FILE) --key=$(TLS_KEY_FILE) \
	  --dry-run=client -o yaml | $(KUBECTL) apply -f - >/dev/null

.PHONY: k8s-test
k8s-test: tooling ## On the kind cluster of make k8s-up: workers per pod, scrapes, NetworkPolicy, rollout restart under load (+ negative control), broken release + undo
	@$(K8S_NEED_KUBECTL)
	@$(KUBECTL) -n $(K8S_NAMESPACE) get deployment/api >/dev/null 2>&1 || { echo "no deployment/api in namespace $(K8S_NAMESPACE): run make k8s-up first"; exit 2; }
	@$(call say,Kubernetes tests on the kind cluster (nginx on 127.0.0.1:8080))
	@HTTP_PORT=8080 node --test --test-concurrency=1 $(BUILD)/tests/kind/
	@echo "Next: make k8s-down"

.PHONY: k8s-down
k8s-down: ## Delete the kind cluster made by make k8s-up
	@command -v $(KIND) >/dev/null || { echo "kind is not installed: there is no kind cluster to delete"; exit 2; }
	@$(KIND) delete cluster --name $(KIND_CLUSTER)

# ---- benchmarks ----------------------------------------------------------------------------------
# RUNS: how many runs a benchmark takes its medians over (each bench has its own default).
RUNS ?=
BENCH_ENV = $(if $(RUNS),RUNS=$(RUNS))

.PHONY: bench-api
bench-api: ## Benchmark the app on the host: 2 vs 1 worker, metrics on/off, RSS, time to ready
	@$(TOOLS)/bench/api.sh

.PHONY: bench-compare
bench-compare: tooling ## Benchmark the comparisons: skewed p99 ratio, fairness at 64 connections, workers 1 vs N, SCHED_RR vs NONE, connections (needs make up)
	@$(BENCH_ENV) node $(BUILD)/tools/bench/compare.js

.PHONY: bench-stack
bench-stack: tooling ## Benchmark the stack: time to healthy, nginx vs direct, fairness per strategy
	@node $(BUILD)/tools/bench/stack.js

.PHONY: bench-proxy
bench-proxy: tooling ## Benchmark the proxy hop: nginx CPU per request, latency it adds, throughput nginx ÷ direct in-network and from the host (~3 min, ends with make down)
	@$(BENCH_ENV) node $(BUILD)/tools/bench/proxy.js

.PHONY: bench-proxy-variants
bench-proxy-variants: tooling ## Benchmark nginx settings side by side: one nginx copy per variant, interleaved rounds, ratios to baseline [VARIANTS="workers-auto gzip-off"] (~3 min, ends with make down)
	@$(BENCH_ENV) $(if $(VARIANTS),VARIANTS='$(VARIANTS)') node $(BUILD)/tools/bench/proxy-variants.js

.PHONY: bench-memory
bench-memory: tooling ## Benchmark memory in the image: RSS/PSS of pm2-runtime and each worker, container totals, idle and after post 000 (starts the stack, ends with make down)
	@node $(BUILD)/tools/bench/memory.js

.PHONY: bench-ws
bench-ws: tooling ## Benchmark websockets: per-worker RSS before and with 1,000 idle sockets through nginx (needs make up; recreates nginx, then restores it)
	@node $(BUILD)/tools/bench/ws-memory.js

.PHONY: bench-runner
bench-runner: tooling ## Benchmark the Node runner's fidelity: post 000 through it and through k6 side by side, requests/p50/p95/CPU/split (needs make up; offline, k6's recorded run)
	@mkdir -p reports
	@$(BENCH_ENV) node $(BUILD)/tools/bench/runner-fidelity.js

# ---- files ---------------------------------------------------------------------------------------

# Grafana's admin password, the session store's password and the session cookie's signing secret: random, made
# once, kept out of git (.secrets/ is ignored) and out of compose. Readable by the containers' users (the api's
# `node`, valkey's `valkey`): compose mounts file secrets as they are, and the folder itself stays 700.
.secrets/grafana-admin-password .secrets/session-store-password .secrets/session-secret:
	@mkdir -p .secrets && chmod 700 .secrets
	@umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' > $@
	@chmod 644 $@
	@echo "wrote a random secret to $@"
