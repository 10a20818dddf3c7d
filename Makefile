# scaleout: the front door. `make` (no target) lists every target, grouped: run, see, operate, compare, test,
# deploy elsewhere. Each recipe is a line or three; the logic lives in the script it names (tools/README.md).
# Quickstart:   make up && make loadtest
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory
TOOLS := tools
# The offline stand-ins' versions, read from the image pins in compose.yaml, exported for compose.offline.yaml.
$(foreach v,$(shell $(TOOLS)/offline/image-versions.sh),$(eval export $(v)))
# Your overrides (ports, replicas, strategy...). Compose reads .env itself; make reads it for the URLs it prints.
-include .env
HTTP_PORT ?= 8080
HTTPS_PORT ?= 8443
PROMETHEUS_PORT ?= 9090
GRAFANA_PORT ?= 3000
BIND_ADDRESS ?= 127.0.0.1
# A hand-off written per call was missed once, and the swarm tests then ran against the default ports.
export HTTP_PORT HTTPS_PORT PROMETHEUS_PORT GRAFANA_PORT BIND_ADDRESS
# nginx's HTTPS certificate and key: the local CA's (made in TLS_DIR by make up), or set both to your own.
TLS_DIR := .secrets/tls
TLS_DEFAULT_CERT := ./$(TLS_DIR)/server.crt
TLS_DEFAULT_KEY := ./$(TLS_DIR)/server.key
TLS_CERT_FILE ?= $(TLS_DEFAULT_CERT)
TLS_KEY_FILE ?= $(TLS_DEFAULT_KEY)
# OFFLINE=auto: offline when no registry answers (1/0 force it). Probed once, handed on as STACK_MODE (one mode per run).
OFFLINE ?= auto
ifeq ($(origin STACK_MODE),environment)
MODE := $(STACK_MODE)
else
MODE = $(eval MODE := $(shell $(TOOLS)/host/stack-mode.sh $(OFFLINE)))$(MODE)
endif
export STACK_MODE = $(MODE)
# EXTRA_COMPOSE_FILES: more override files, e.g. make test-ops's short keep-alive timeouts.
COMPOSE_FILES = -f compose.yaml $(if $(filter offline,$(MODE)),-f compose.offline.yaml) $(foreach f,$(EXTRA_COMPOSE_FILES),-f $(f))
COMPOSE = docker compose $(COMPOSE_FILES)
# The same compose command for the scripts, the test suites and tools/ (tests/lib/stack.ts reads it).
export COMPOSE_STACK = $(COMPOSE)
OPS = COMPOSE='$(COMPOSE)' $(TOOLS)/ops
# `npm ci` in the image build trusts what the host trusts (a TLS-intercepting proxy's CA), as a build secret.
EXTRA_CA_FILE ?= $(firstword $(wildcard /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt))
export EXTRA_CA_FILE
# Compose builds with its own BuildKit client; without this it first looks for the buildx plugin.
export COMPOSE_BAKE = false
# A second copy of the stack beside the first: COMPOSE_PROJECT_NAME=ops HTTP_PORT=8180 PROMETHEUS_PORT=9190 make up
COMPOSE_PROJECT_NAME ?= scaleout
API_IMAGE_REPO ?= scaleout/api
export COMPOSE_PROJECT_NAME API_IMAGE_REPO
SECRETS := .secrets/grafana-admin-password .secrets/session-store-password .secrets/session-secret
# The strategies: the files in nginx/strategies/, the one list.
STRATEGY_NAMES := $(shell $(TOOLS)/make/strategies.sh)
STRATEGY_CHOICES := $(shell $(TOOLS)/make/strategies.sh --choices)
# Given on the command line, empty otherwise: LB N VERSION PCT FAULT MB STOP NODE REQUEST_ID NEVER_READY LABS RUNS S
SCENARIO ?= post000
RUN_ID ?= $(shell date -u +%Y%m%dT%H%M%SZ)
# The tooling's compiled output: tools/, tests/ and k6/lib/ are one TypeScript project (tools/tsconfig.json).
BUILD := $(TOOLS)/build
TOOLING := $(BUILD)/.built
COMPARE_CLI = node $(BUILD)/tools/compare/src/cli.js
BENCH_ENV = $(if $(RUNS),RUNS=$(RUNS))
# A target named without its variable: usage: make <target> VAR=... and exit 2, before anything changes.
need = test -n "$(1)" || { echo "usage: $(2)"; exit 2; }
# Every target with a ## description is phony (the files' rule at the end has none).
.PHONY: $(shell awk -F: '/^[a-z0-9-]+:.*## /{print $$1}' $(firstword $(MAKEFILE_LIST)))
say = printf '\033[1m==> %s\033[0m\n' "$(1)"
help: ## Show this help
	@printf 'scaleout: nginx -> N x (NestJS under pm2-runtime cluster) -> Prometheus + Grafana, with k6\n\nQuickstart:  make up && make loadtest\n'
	@awk 'BEGIN {FS = ":.*?## "} /^##@ / {printf "\n\033[1m%s\033[0m\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*?## / {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}' $(firstword $(MAKEFILE_LIST))
	@printf '\nVariables: LB=<$(STRATEGY_CHOICES)>  N=<replicas>  VERSION=<image tag>  PCT=<0..100>  SCENARIO=<name>  OFFLINE=<auto|1|0>\n'

##@ Run: the stack on this machine, and load through it
# AUTO_INSTALL=0 names what is missing and exits 2; SETUP_FOR=test adds shellcheck, kubectl and the k8s schema.
AUTO_INSTALL ?= 1
SETUP_FOR ?= up
setup: ## Install and start what this machine lacks for make up (Docker Engine, Compose v2...), saying what first [AUTO_INSTALL=0 refuses]
	@AUTO_INSTALL=$(AUTO_INSTALL) $(TOOLS)/host/install-engine.sh $(SETUP_FOR) $(if $(filter offline,$(MODE)),--offline)
up: setup $(SECRETS) tls check-ports images ## Start the stack (detached), return when every service is healthy, print the URLs
	@$(TOOLS)/make/up.sh "$(LB)"
	@$(MAKE) urls
tls: ## Create the local CA and nginx's certificate in .secrets/tls/ if missing (make up does), or check TLS_CERT_FILE/TLS_KEY_FILE
	@$(TOOLS)/make/tls.sh $(TLS_DIR) $(TLS_DEFAULT_CERT) $(TLS_DEFAULT_KEY) "$(TLS_CERT_FILE)" "$(TLS_KEY_FILE)"
check-ports: ## Name any published port that is invalid, shared by two variables, or taken (make up runs it first)
	@$(TOOLS)/host/check-ports.sh "$(BIND_ADDRESS)" HTTP_PORT=$(HTTP_PORT) HTTPS_PORT=$(HTTPS_PORT) \
	  PROMETHEUS_PORT=$(PROMETHEUS_PORT) $(if $(filter online,$(MODE)),GRAFANA_PORT=$(GRAFANA_PORT))
images: ## Print the image pins beside their offline stand-ins and support dates; build the stand-ins when offline
	@$(TOOLS)/make/images.sh
down: ## Stop and remove the stack's containers (keeps volumes)
	@$(COMPOSE) --profile loadtest --profile skewed --profile green down --remove-orphans
clean: ## Remove containers, volumes, built tooling and reports (keeps the offline images)
	@$(COMPOSE) --profile loadtest --profile skewed --profile green down --remove-orphans --volumes
	@rm -rf $(BUILD) reports
purge: ## Back to a new machine's state: remove everything the project made in Docker and on disk (keeps .secrets/)
	@$(TOOLS)/host/purge.sh
loadtest: ## Run post 000's experiment (1000 VUs, 30 s) through nginx, or SCENARIO=<name>; non-zero exit when thresholds fail
	@$(MAKE) tooling
	@EXPECTED_REPLICAS='$(EXPECTED_REPLICAS)' EXPECTED_WORKERS='$(EXPECTED_WORKERS)' K6_SCRIPT='$(K6_SCRIPT)' \
	  $(TOOLS)/make/loadtest.sh $(SCENARIO) $(RUN_ID)
tooling: $(TOOLING) ## Install and build the host tooling (load runner, stack tests, benchmarks)
$(TOOLING): $(TOOLS)/package.json $(TOOLS)/package-lock.json $(TOOLS)/tsconfig.json $(shell find $(TOOLS) tests k6/lib -path $(TOOLS)/node_modules -prune -o -path $(BUILD) -prune -o \( -name '*.ts' -o -name '*.js' \) -print 2>/dev/null)
	@$(call say,building host tooling)
	@# A clean output folder: a deleted or renamed source must not leave its old .js (or test) behind.
	@cd $(TOOLS) && npm ci --no-audit --no-fund --loglevel=error && rm -rf build/tools build/tests build/k6 && npx tsc -p tsconfig.json && touch $(CURDIR)/$@

##@ See: what runs and how the load spreads
SINCE ?= 5m
urls: ## Print the URLs of the running stack
	@$(TOOLS)/make/urls.sh "$(if $(filter $(TLS_DEFAULT_CERT),$(TLS_CERT_FILE)),$(TLS_DIR)/ca.crt,<your CA>)"
ps: ## Show the stack's containers and their health
	@$(COMPOSE) ps
logs: ## Follow the logs (S=<service> for one, e.g. S=nginx)
	@$(COMPOSE) logs -f --tail=100 $(S)
ring: ## Which api container holds each slot of hash_consistent's ring (a deploy hands slots over, so keys stay put)
	@$(OPS)/ring.sh show
# The panel's own PromQL over the last SINCE, drawn as an SVG: for a slide, or a machine without Grafana.
panel: tooling ## A dashboard panel as an SVG from the running Prometheus: make panel PANEL="Requests/s per worker" [SINCE=5m]
	@test -n "$(PANEL)" || { echo 'make panel: name the panel, e.g. make panel PANEL="Requests/s per worker" (titles: grafana/dashboards/*.json)' >&2; exit 2; }
	@node $(BUILD)/tools/panels/src/cli.js --panel "$(PANEL)" --since "$(SINCE)" --prometheus http://127.0.0.1:$(PROMETHEUS_PORT) \
	  --command 'make panel PANEL="$(PANEL)" SINCE=$(SINCE)' $(if $(PANEL_OUT),--out "$(PANEL_OUT)")

##@ Operate: change the running stack without dropping a request (docs/operations.md, docs/faults.md)
# The /chaos routes exist only on a stack started with CHAOS_ENABLED=true (make up recreates the replicas with it).
lb: ## Switch nginx's strategy live, without dropping a request: make lb LB=least_conn
	@$(call need,$(LB),make lb LB=<$(STRATEGY_CHOICES)>)
	@$(COMPOSE) exec -T nginx switch-lb-strategy "$(LB)"
scale: ## Change the number of api replicas under load: make scale N=5 (new ones gated on /readyz, removed ones drained first)
	@$(call need,$(N),make scale N=<replicas>)
	@$(OPS)/scale.sh "$(N)"
reload: ## pm2 graceful reload in every api replica, one replica and one worker at a time, gated on /readyz
	@$(OPS)/reload.sh
deploy: images ## Rolling deploy of the api image tagged VERSION, one replica at a time; a never-ready release is rolled back
	@$(call need,$(VERSION),make deploy VERSION=<tag>   (built from services/api if the tag does not exist))
	@$(OPS)/deploy.sh "$(VERSION)"
canary: ## Blue-green: send PCT % of requests to the green pool (started with VERSION if not running): make canary PCT=10 VERSION=v2
	@$(call need,$(PCT),make canary PCT=<0..100> [VERSION=<tag> to start the green pool])
	@$(OPS)/pools.sh canary "$(PCT)" "$(VERSION)"
promote: ## Blue-green: finish the release, 100 % of requests to green (blue stays up for make switch)
	@$(OPS)/pools.sh promote
switch: ## Blue-green: flip all traffic atomically to the other pool (green unless it already has 100 %, then blue)
	@$(OPS)/pools.sh switch
rollback: ## Blue-green: undo, 100 % of requests to blue, then drain and remove the green pool
	@$(OPS)/pools.sh rollback
build-broken: images ## Build a broken release (workers never ready) to watch make deploy refuse it: make build-broken VERSION=broken
	@$(call need,$(VERSION),make build-broken VERSION=<tag>)
	@$(call say,building $(API_IMAGE_REPO):$(VERSION) with NEVER_READY=true) && API_VERSION=$(VERSION) $(COMPOSE) build --quiet --build-arg NEVER_READY=true api && echo "Next: make deploy VERSION=$(VERSION)   (it must roll back and leave every replica as it was)"
chaos: ## Inject a fault through nginx on a CHAOS_ENABLED=true stack: make chaos FAULT=<error|leak|crash> [MB=64]
	@$(TOOLS)/make/chaos.sh "$(FAULT)" "$(MB)"

##@ Compare: variants side by side on the running stack, and benchmarks (docs/compare.md, docs/figures.md)
# Strategies differ most on `skewed`: compare's scenario unless SCENARIO was given (docs/compare.md).
STRATEGIES ?= $(STRATEGY_NAMES)
COMPARE_FLAGS = $(if $(DURATION),--duration $(DURATION)) $(if $(VUS),--vus $(VUS)) $(if $(RATE),--rate $(RATE))
COMPARE_SCENARIO = $(if $(filter file,$(origin SCENARIO)),skewed,$(SCENARIO))
compare: tooling ## Same scenario under each nginx strategy, side by side: make compare [SCENARIO=skewed] [STRATEGIES="round_robin least_conn"]
	@$(call say,comparing strategies ($(strip $(STRATEGIES))) on scenario $(COMPARE_SCENARIO)) && $(COMPARE_CLI) strategies --scenario $(COMPARE_SCENARIO) --variants "$(strip $(STRATEGIES))" $(COMPARE_FLAGS)
compare-cluster: tooling ## Post 000 in one replica: 1 worker vs N, and SCHED_RR vs SCHED_NONE: make compare-cluster [SCENARIO=post000]
	@$(call say,comparing 1 worker vs N workers in one replica on scenario $(SCENARIO) (the replicas are recreated, then restored)) && $(COMPARE_CLI) cluster --scenario $(SCENARIO) $(COMPARE_FLAGS)
compare-connections: tooling ## One replica, N workers: how 1, 2, 4, 64 connections split between its workers, and 1 with upstream keep-alive off
	@$(call say,comparing connection counts through nginx to one replica, then upstream keep-alive off (replicas and nginx recreated, then restored))
	@$(COMPARE_CLI) connections $(if $(filter file,$(origin SCENARIO)),,--scenario $(SCENARIO)) $(COMPARE_FLAGS)
compare-sessions: tooling ## Sessions: memory vs redis store x round_robin/ip_hash/hash x 1/2 workers, 20 calls per cookie-jar client
	@$(call say,comparing session stores x strategies x workers per replica (the replicas are recreated, then restored))
	@node $(BUILD)/tools/compare/src/sessions/cli.js $(if $(CLIENTS),--clients $(CLIENTS)) $(if $(CALLS),--calls $(CALLS))
	@echo "Next: open the report above; docs/state.md explains each cell."
compare-hash: tooling ## Consistent vs plain hash: 1,000 X-Client-Id ids at N=3, 4, 4 recreated, back to 3, after make deploy; how many moved
	@$(call say,mapping client ids to replicas under hash_consistent and hash while scaling 3 -> 4 -> 3 and deploying (the replicas are recreated))
	@node $(BUILD)/tools/compare/src/hashRing/cli.js $(if $(IDS),--ids $(IDS))
	@echo "Next: make lb LB=hash_consistent keeps it; nginx/README.md explains the ring."
p2p: tooling ## Peer-to-peer balancing, no nginx, over the replicas from Docker's DNS (lab 10): make p2p [DURATION=10] [STOP=<replica n>]
	@COMPOSE='$(COMPOSE)' DURATION=$(DURATION) STOP=$(STOP) $(TOOLS)/p2p/run.sh
ws-broadcast: tooling ## Websockets across workers: CLIENTS socket.io clients, one broadcast from each worker, who got what [CLIENTS=24]
	@$(if $(CLIENTS),CLIENTS=$(CLIENTS)) node $(BUILD)/tools/realtime/broadcast.js

bench-api: ## Benchmark the app on the host: 2 vs 1 worker, metrics on/off, RSS, time to ready
	@$(TOOLS)/bench/api.sh
bench-typescript: tooling ## Benchmark TypeScript compilers side by side: type-check and build of the app and the tooling [BEFORE=5.9.3 AFTER=<pinned>] (~3 min)
	@cd services/api && npm ci --no-audit --no-fund --loglevel=error && cd ../.. && $(TOOLS)/bench/typescript.sh $(or $(BEFORE),5.9.3) $(AFTER)
bench-compare: tooling ## Benchmark the comparisons: skewed p99, fairness at 64 connections, workers 1 vs N, SCHED_RR vs NONE (needs make up)
	@$(BENCH_ENV) node $(BUILD)/tools/bench/compare.js
bench-stack: tooling ## Benchmark the stack: time to healthy, nginx vs direct, fairness per strategy
	@node $(BUILD)/tools/bench/stack.js
bench-proxy: tooling ## Benchmark the proxy hop: nginx CPU per request, latency added, nginx ÷ direct (~3 min, ends with make down)
	@$(BENCH_ENV) node $(BUILD)/tools/bench/proxy.js
bench-proxy-variants: tooling ## Benchmark nginx settings side by side, ratios to baseline [VARIANTS="workers-auto gzip-off"] (~3 min, ends with make down)
	@$(BENCH_ENV) $(if $(VARIANTS),VARIANTS='$(VARIANTS)') node $(BUILD)/tools/bench/proxy-variants.js
bench-memory: tooling ## Benchmark memory in the image: RSS/PSS of pm2-runtime and each worker, idle and after post 000 (starts the stack)
	@node $(BUILD)/tools/bench/memory.js
bench-ws: tooling ## Benchmark websockets: per-worker RSS before and with 1,000 idle sockets (needs make up; recreates nginx, then restores it)
	@node $(BUILD)/tools/bench/ws-memory.js
bench-runner: tooling ## Benchmark the Node runner's fidelity against k6: requests/p50/p95/CPU/split (needs make up; offline, k6's recorded run)
	@mkdir -p reports && $(BENCH_ENV) node $(BUILD)/tools/bench/runner-fidelity.js

##@ Test: each suite starts what it needs and leaves nothing running (docs/testing.md)
# The operations suite's stack: short keep-alive timeouts and Prometheus in a tmpfs (that file says why).
OPS_TEST_COMPOSE := tests/ops/compose.ops-test.yaml
# The swarm suite's overlay: a shorter healthcheck and monitor window, for the tests only (its comments say why).
SWARM_TEST_OVERLAY = tests/swarm/stack.test-overlay.yaml
# The labs make test runs; tests/stack and tests/ops assert what 01-03, 05 and 07 promise (FACILITATOR.md#timings).
LABS_IN_MAKE_TEST := 04 06 08 09 10
test: ## Every test: lint, app, tooling, configs, the stack end to end, operations, faults, swarm, then LABS_IN_MAKE_TEST (CI runs this)
	@$(MAKE) setup SETUP_FOR=test
	@$(TOOLS)/offline/build-images.sh $(if $(filter offline,$(MODE)),--all,--swarm)
	@for t in lint test-api test-tooling test-config test-stack test-ops test-faults test-swarm; do $(MAKE) $$t; done
	@$(MAKE) test-labs LABS="$(LABS_IN_MAKE_TEST)" && $(call say,all tests passed)
lint: ## shellcheck (Debian's package; .shellcheckrc) over every git-tracked shell script, ~3 s
	@$(call say,shellcheck over every shell script (tools/lint/shell-scripts.sh lists them)) && $(TOOLS)/make/lint.sh
test-api: ## The app's tests, including real pm2-runtime with 2 workers on the host
	@$(call say,services/api tests) && cd services/api && npm ci --no-audit --no-fund --loglevel=error && npm test
test-tooling: tooling ## Unit tests of the load runner and the test helpers
	@$(call say,tooling unit tests) && node --test $(BUILD)/tools/loadrunner/test/ $(BUILD)/tests/unit/ $(BUILD)/tools/compare/test/
test-config: tooling images $(SECRETS) tls ## Static checks: compose config, nginx -t per strategy, promtool, dashboards, k8s manifests
	@$(TOOLS)/make/test-config.sh
test-stack: tooling ## End to end: up, load through nginx, check spread and metrics, down (leaves nothing running)
	@$(TOOLS)/make/test-stack.sh
test-ops: tooling ## Zero-downtime operations under steady load (reload, deploy, scale, lb, blue-green, canary, keep-alive race), 0 failures each
	@$(TOOLS)/make/test-ops.sh $(OPS_TEST_COMPOSE)
test-faults: tooling ## Faults under steady load (crash, leak, kill, stop, bad input, slowloris, rate limit) and hardening; own stack
	@$(TOOLS)/make/test-faults.sh
test-swarm: tooling ## Docker Swarm under steady load: rolling update, rollback, drain, scale, node loss, logs, metrics, sessions; ~8 min
	@$(TOOLS)/make/test-swarm.sh $(SWARM_TEST_OVERLAY)
test-labs: tooling ## Every workshop lab in docs/labs/ run as written on one shared stack, each "you should see" asserted; LABS="01 03" for some
	@$(TOOLS)/make/test-labs.sh "$(LABS)"

##@ Deploy elsewhere: Docker Swarm (swarm/README.md) and Kubernetes (k8s/README.md)
# The stack file is `docker compose config` (the same files as make up) plus swarm/stack.overlay.yaml. Without
# DOCKER_HOST, a local swarm of SWARM_NODES Docker-in-Docker nodes named after SWARM_NAME; with it, that swarm.
SWARM_NAME ?= scaleout-swarm
SWARM_NODES ?= 3
SWARM_REGISTRY_PORT ?= 5000
export SWARM_NAME SWARM_NODES SWARM_REGISTRY_PORT
# The local swarm's budget: 3 nodes x 2 api tasks on 2 cores and 24 GiB (docs/swarm.md, "Resource use").
SWARM_API_REPLICAS ?= 6
SWARM_API_CPUS ?= 0.5
SWARM_API_MEMORY ?= 256M
SWARM_API_LOG_LEVEL ?= debug
SWARM = COMPOSE_FILES='$(COMPOSE_FILES)' API_REPLICAS=$(SWARM_API_REPLICAS) API_CPUS=$(SWARM_API_CPUS) \
  API_MEMORY=$(SWARM_API_MEMORY) API_LOG_LEVEL=$(SWARM_API_LOG_LEVEL) $(TOOLS)/swarm/swarm.sh
SWARM_TOOLING = setup $(TOOLING) $(SECRETS) tls images
swarm-check-ports: ## Name any port the local swarm would publish that is invalid, shared, or taken (make swarm-up runs it first)
	@$(if $(DOCKER_HOST),true,OWNER_LABEL=org.scaleout.swarm=$(SWARM_NAME) $(TOOLS)/host/check-ports.sh 127.0.0.1 HTTP_PORT=$(HTTP_PORT) \
	  HTTPS_PORT=$(HTTPS_PORT) PROMETHEUS_PORT=$(PROMETHEUS_PORT) GRAFANA_PORT=$(GRAFANA_PORT) SWARM_REGISTRY_PORT=$(SWARM_REGISTRY_PORT))
swarm-up: swarm-check-ports $(SWARM_TOOLING) ## Local swarm of SWARM_NODES nodes (3) + registry, push the images, deploy the stack, wait, print the URLs
	@$(SWARM) up
swarm-down: ## Remove the stack and the whole local swarm (nodes, registry, volumes, network); idempotent
	@$(SWARM) down
swarm-deploy: $(SWARM_TOOLING) ## Rolling update of the api to VERSION=<tag> (start-first; Swarm rolls a failing release back by itself)
	@$(call need,$(VERSION),make swarm-deploy VERSION=<tag>   (make swarm-build VERSION=<tag> first))
	@$(SWARM) deploy "$(VERSION)"
swarm-build: $(SWARM_TOOLING) ## Build the api image VERSION=<tag> for make swarm-deploy (NEVER_READY=true: a release that never gets ready)
	@$(call need,$(VERSION),make swarm-build VERSION=<tag> [NEVER_READY=true])
	@NEVER_READY=$(NEVER_READY) $(SWARM) build "$(VERSION)"
swarm-scale: ## Change the number of api tasks: make swarm-scale N=6 (nginx and Prometheus follow through DNS)
	@$(call need,$(N),make swarm-scale N=<tasks>)
	@$(SWARM) scale "$(N)"
swarm-ps: ## The swarm's nodes and the tasks running on each
	@$(SWARM) ps
swarm-logs: ## Every node's logs merged through the manager; REQUEST_ID=<id> shows one request's nginx and api lines
	@$(SWARM) logs "$(REQUEST_ID)"
swarm-drain: ## Move every task off a node: make swarm-drain NODE=node2
	@$(call need,$(NODE),make swarm-drain NODE=<hostname>   (make swarm-ps lists them))
	@$(SWARM) drain "$(NODE)"
swarm-activate: ## Let a drained node take tasks again: make swarm-activate NODE=node2
	@$(call need,$(NODE),make swarm-activate NODE=<hostname>)
	@$(SWARM) activate "$(NODE)"
swarm-config: $(SWARM_TOOLING) ## Print the generated stack file (docker compose config + swarm/stack.overlay.yaml)
	@$(SWARM) config

OVERLAY ?= kind
KUBECTL ?= kubectl
KIND ?= kind
KIND_CLUSTER ?= scaleout
K8S_NAMESPACE := scaleout
K8S_SCHEMA_DIR ?= /usr/local/share/scaleout/k8s-schema
export KUBECTL KIND K8S_SCHEMA_DIR
k8s-render: ## Print the rendered manifests of one overlay to stdout: make k8s-render [OVERLAY=kind|production]
	@$(TOOLS)/make/need-kubectl.sh && test -d k8s/overlays/$(OVERLAY) || { echo "no overlay '$(OVERLAY)'; overlays: $$(ls k8s/overlays | tr '\n' ' ')" >&2; exit 2; }
	@$(KUBECTL) kustomize k8s/overlays/$(OVERLAY)
k8s-validate: tooling ## Render every overlay, validate it strictly against Kubernetes 1.36's schema, cross-check it with the app and compose
	@$(call say,k8s: render every overlay, strict schema validation, cross-checks against the app and compose)
	@$(TOOLS)/make/need-kubectl.sh --schema && node --test $(BUILD)/tests/k8s/
k8s-up: .secrets/grafana-admin-password tls ## Create a kind cluster, load the api image, apply the kind overlay, wait for the rollouts (needs kind)
	@$(TOOLS)/make/k8s-up.sh $(KIND_CLUSTER) $(K8S_NAMESPACE)
# The one list of what the manifests expect from outside: make k8s-validate reads these `create` lines.
k8s-secrets: .secrets/grafana-admin-password tls ## Create the namespace and the Secrets the manifests name but never hold, in kubectl's current cluster
	@$(TOOLS)/make/need-kubectl.sh && $(KUBECTL) apply -f k8s/base/namespace.yaml >/dev/null
	@$(KUBECTL) -n $(K8S_NAMESPACE) create secret generic grafana-admin --from-file=password=.secrets/grafana-admin-password \
	  --dry-run=client -o yaml | $(KUBECTL) apply -f - >/dev/null
	@$(KUBECTL) -n $(K8S_NAMESPACE) create secret tls nginx-tls --cert=$(TLS_CERT_FILE) --key=$(TLS_KEY_FILE) \
	  --dry-run=client -o yaml | $(KUBECTL) apply -f - >/dev/null
k8s-test: tooling ## On the kind cluster of make k8s-up: workers per pod, scrapes, NetworkPolicy, rollout restart under load, broken release + undo
	@$(TOOLS)/make/need-kubectl.sh && $(KUBECTL) -n $(K8S_NAMESPACE) get deployment/api >/dev/null 2>&1 || { echo "no deployment/api in namespace $(K8S_NAMESPACE): run make k8s-up first"; exit 2; }
	@$(call say,Kubernetes tests on the kind cluster (nginx on 127.0.0.1:8080)) && HTTP_PORT=8080 node --test --test-concurrency=1 $(BUILD)/tests/kind/ && echo "Next: make k8s-down"
k8s-down: ## Delete the kind cluster made by make k8s-up
	@command -v $(KIND) >/dev/null || { echo "kind is not installed: there is no kind cluster to delete"; exit 2; }
	@$(KIND) delete cluster --name $(KIND_CLUSTER)

# Random, made once, out of git. 644 for the containers' users (compose mounts them as they are); the folder is 700.
.secrets/grafana-admin-password .secrets/session-store-password .secrets/session-secret:
	@mkdir -p .secrets && chmod 700 .secrets
	@umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' > $@
	@chmod 644 $@ && echo "wrote a random secret to $@"
