# resflow - residual CNNs to streaming FPGA pipelines.
#
#   make demo                 install what is missing, stream a photograph through
#                             the default kernel, check it bit-exact, print the report
#   make test                 the whole test suite (ends with "N passed, N failed")
#   make sim KERNEL=kernels/X.yaml    build build/X/stream (Verilator model + host)
#   make deps                 install Debian packages and the demo photo (idempotent)
#   make bitstream KERNEL=kernels/X.yaml BOARD=icebreaker [CLOCK_MHZ=N] [GEN_FLAGS=...]
#                             synthesis, place and route, pack: build/X_BOARD/X_BOARD.bin
#   make boards               the largest kernel that fits each board: bench/boards.json

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -pedantic
KERNEL  ?= kernels/resnet_block.yaml
K       ?= $(basename $(notdir $(KERNEL)))
GEN_FLAGS ?=
# C++ optimisation of the Verilated model: -O3 runs ~35% faster; -O0 builds faster
VOPT    ?= -O3
ROOT    := $(abspath .)
BUILD   := build

GEN_SRC := $(wildcard gen/*.c)
GEN_OBJ := $(GEN_SRC:%.c=$(BUILD)/obj/%.o)
HOST_SRC := $(filter-out host/stream.c,$(wildcard host/*.c)) host/stream.c gen/quant.c

DEB_PKGS := build-essential pkg-config python3 yosys nextpnr-ice40 fpga-icestorm verilator \
            libfyaml-dev libstb-dev libcmocka-dev
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PHOTO   := $(BUILD)/photos/astronaut.png

.PHONY: all deps demo sim test lint clean size verify-fifos bench resnet8 bitstream boards uart-sim FORCE
.DELETE_ON_ERROR:

all: $(BUILD)/resflow

# ---- dependencies: Debian packages, and scikit-image's sample photographs ----
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else echo "deps: Debian packages present"; fi
	@if [ ! -f $(PHOTO) ]; then \
	  echo "deps: extracting the sample photographs from Debian's python3-skimage"; \
	  mkdir -p $(BUILD)/deps $(BUILD)/photos && cd $(BUILD)/deps && rm -rf x *.deb && \
	  { apt-get download python3-skimage >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && apt-get download python3-skimage >/dev/null; }; } && \
	  dpkg-deb -x python3-skimage_*.deb x && \
	  cp x/usr/lib/python3/dist-packages/skimage/data/astronaut.png \
	     x/usr/lib/python3/dist-packages/skimage/data/coffee.png \
	     x/usr/lib/python3/dist-packages/skimage/data/chelsea.png $(ROOT)/$(BUILD)/photos/ && \
	  rm -rf x *.deb; \
	else echo "deps: sample photographs present"; fi

# ---- the generator ----
$(BUILD)/obj/gen/%.o: gen/%.c $(wildcard gen/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DRESFLOW_TEMPLATE_DIR='"$(ROOT)/templates"' -DRESFLOW_BOARD_DIR='"$(ROOT)/boards"' $$(pkg-config --cflags libfyaml) -c $< -o $@

$(BUILD)/resflow: $(GEN_OBJ)
	$(CC) $(CFLAGS) -o $@ $(GEN_OBJ) $$(pkg-config --libs libfyaml) -lm

# ---- one kernel: generate, Verilate, link with the host ----
# the kernel and flags a build was made from: a change regenerates it
$(BUILD)/$(K)/genflags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(KERNEL) $(GEN_FLAGS)' | cmp -s - $@ || echo '$(KERNEL) $(GEN_FLAGS)' >$@

$(BUILD)/$(K)/gen/report.json: $(KERNEL) $(BUILD)/resflow $(wildcard templates/*.v) $(BUILD)/$(K)/genflags
	RESFLOW_TEMPLATES=$(ROOT)/templates $(BUILD)/resflow gen $(KERNEL) -o $(BUILD)/$(K)/gen $(GEN_FLAGS)

$(BUILD)/$(K)/stream: $(BUILD)/$(K)/gen/report.json $(HOST_SRC) $(wildcard host/*.h gen/quant.h)
	@rm -rf $(BUILD)/$(K)/obj $(BUILD)/$(K)/host && mkdir -p $(BUILD)/$(K)/host
	@for f in $(HOST_SRC) $(BUILD)/$(K)/gen/net.c; do \
	  $(CC) $(CFLAGS) -O2 -Ihost -Igen $$(pkg-config --cflags stb) -c $$f -o $(BUILD)/$(K)/host/$$(basename $$f .c).o || exit 1; \
	done
	@top=$$(sed -n 's/^  "name": "\(.*\)",$$/\1/p' $(BUILD)/$(K)/gen/report.json); \
	echo "verilator: resflow_$$top -> $@"; \
	verilator --cc --exe --build -j 2 --no-timing -Wno-fatal -O3 --x-assign fast --x-initial fast \
	  --top-module resflow_$$top --prefix Vrf_top -Mdir $(BUILD)/$(K)/obj \
	  -GMEM_PATH='"$(ROOT)/$(BUILD)/$(K)/gen/mem/"' \
	  -CFLAGS "-O2 -I$(ROOT)/host" -LDFLAGS "$$(echo $(ROOT)/$(BUILD)/$(K)/host/*.o) $$(pkg-config --libs stb) -lm" \
	  -MAKEFLAGS OPT_FAST=$(VOPT) \
	  $(BUILD)/$(K)/gen/rtl/*.v $(ROOT)/$(BUILD)/$(K)/gen/shim.cpp -o $(ROOT)/$@ >$(BUILD)/$(K)/verilator.log 2>&1 \
	  || { tail -30 $(BUILD)/$(K)/verilator.log; exit 1; }

sim: deps
	@$(MAKE) --no-print-directory $(BUILD)/$(K)/stream KERNEL=$(KERNEL)

# ---- the demo: a real photograph through the default kernel ----
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/$(K)/stream KERNEL=$(KERNEL)
	$(BUILD)/$(K)/stream --image $(PHOTO) --frames-per-image 2 \
	  --json $(BUILD)/$(K)/demo.json --out-image $(BUILD)/$(K)/output.png
	@echo "demo: output feature map written to $(BUILD)/$(K)/output.png"

# ---- the trained MLPerf Tiny ResNet-8 on CIFAR-10 (TFLite import) ----
# make resnet8 [MODEL=...tflite] [IMAGES=dir with labels.csv] [R8_TARGET=cycles/frame] [CLOCK_MHZ=48]
MODEL   ?= $(ROOT)/../shared/data/models/mlperf_tiny_resnet8/pretrainedResnet_quant.tflite
IMAGES  ?= $(ROOT)/../shared/data/images/cifar10
R8_TARGET ?= 16384
# (no CLOCK_MHZ default here: `make bitstream` takes the board's target_mhz)
R8      := $(BUILD)/resnet8_tflite
resnet8: deps $(BUILD)/resflow
	@[ -f "$(MODEL)" ] || { echo "resnet8: $(MODEL) not present (see README: Test data)"; exit 1; }
	@[ -f "$(IMAGES)/labels.csv" ] || { echo "resnet8: $(IMAGES)/labels.csv not present (see README: Test data)"; exit 1; }
	$(BUILD)/resflow import "$(MODEL)" -o $(R8)/model
	@$(MAKE) --no-print-directory $(BUILD)/resnet8_tflite/stream K=resnet8_tflite \
	  KERNEL=$$(ls $(R8)/model/*.yaml) GEN_FLAGS="--target-cycles $(R8_TARGET)"
	$(R8)/stream --labels "$(IMAGES)/labels.csv" --clock-mhz $(or $(CLOCK_MHZ),48) --json $(R8)/resnet8.json

# ---- FIFO sizing: analysis per resolution, and its proof by simulation ----
size: $(BUILD)/resflow
	@mkdir -p $(BUILD)/$(K)
	$(BUILD)/resflow size $(KERNEL) --sweep --plot $(BUILD)/$(K)/fifo_sweep.svg
	@echo "size: plot written to $(BUILD)/$(K)/fifo_sweep.svg"

# make verify-fifos KERNEL=kernels/X.yaml [RES=WxH]
verify-fifos: deps $(BUILD)/resflow
	@bash tests/verify_fifos.sh $(KERNEL) $(RES)

# ---- benchmarks (not timed tests) ----
bench: deps $(BUILD)/resflow
	@bash bench/fifo_sizing.sh
	@bash bench/family.sh

# ---- boards: the bitstream flow (docs/boards.md) ----
BOARD   ?= icebreaker
bitstream: $(BUILD)/resflow
	@CLOCK_MHZ="$(CLOCK_MHZ)" BAUD="$(BAUD)" MULTIPLIERS="$(MULTIPLIERS)" GEN_FLAGS="$(GEN_FLAGS)" \
	  bash tools/bitstream.sh $(KERNEL) $(BOARD) $(BUILD)/$(K)_$(BOARD)

# the UART bridge and the host's --uart backend, simulated (no board needed);
# on the simulation-only board unless BOARD is given (the default kernel fits no real one)
UART_SIM_BOARD = $(if $(filter command line environment,$(origin BOARD)),$(BOARD),tests/board/sim.yaml)
uart-sim: deps $(BUILD)/resflow
	@bash tests/board/uart_sim.sh $(KERNEL) $(UART_SIM_BOARD) --random-frames 2

boards: $(BUILD)/resflow
	@bash bench/boards.sh

# ---- tests ----
test: deps
	@$(MAKE) --no-print-directory $(BUILD)/resflow
	@bash tests/run.sh

lint:
	@bash tests/tb/lint.sh

clean:
	rm -rf $(BUILD)
