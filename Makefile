# tailsweep build.
#
# How dependencies are found: the compiler is Open MPI's `mpicc` wrapper,
# which is the MPI-standard way to get MPI's flags; every other library (HDF5,
# GSL, libyaml, zlib, OpenBLAS, cmocka) comes from `pkg-config`, one uniform
# mechanism that also serves the sanitizer build. h5pcc was not chosen: it is
# just another wrapper around mpicc that knows only HDF5.
#
#   make                      release build: build/release/tailsweep
#   make run                  the main job (installs what is missing first)
#   make check                sanitizer (ASan + UBSan) build of the tests, then all tests
#   make bench                benchmarks against GSL and scipy (installs python3-torch)
#   make figures              the shipped small jobs' figures into results/*.png
#   make install PREFIX=/usr/local
#   make clean
#   make ARCH=x86-64-v3       for clusters whose nodes differ (default: native);
#                             results are bit-identical either way (docs/rng.md)

PREFIX   ?= /usr/local
ARCH     ?= native
# 512-bit vectors pay off on the AVX-512 machines measured (docs/benchmarks.md);
# the flag is only a preference and is ignored where AVX-512 is absent.
VECWIDTH ?= 512
CC       := mpicc
PKGS     := hdf5-openmpi gsl yaml-0.1 zlib openblas
# Deferred (=, not :=): on a fresh machine pkg-config only works after the
# deps target has installed the packages, which happens after parsing.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# GSL's pkg-config names its reference CBLAS; OpenBLAS provides the same symbols, faster.
PKG_LIBS   = $(filter-out -lgslcblas,$(shell pkg-config --libs $(PKGS) 2>/dev/null))

# -ffp-contract=off plus explicit fma() keeps results bit-identical across
# instruction sets and between scalar and SIMD code (docs/rng.md).
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unknown-pragmas
BASE     = -std=c11 -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS) $(WARN) \
            -ffp-contract=off -fopenmp-simd -fno-math-errno -march=$(ARCH) -mprefer-vector-width=$(VECWIDTH)
RELEASE_CFLAGS = $(BASE) -O3 -g
ASAN_CFLAGS    = $(BASE) -O1 -g -fno-omit-frame-pointer \
                  -fsanitize=address,undefined -fno-sanitize-recover=all
# oneDNN (libdnnl) has no pkg-config file; its GEMM serves the GNI network (src/nn/ts_mlp_blas.c).
LIBS     = $(PKG_LIBS) -lhdf5_hl -ldnnl -lgomp -lm

# Every module folder under src/ is part of the library, except the CLI.
LIB_SRC  := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
HDRS     := $(wildcard include/tailsweep/*.h src/*/*.h)

R := build/release
A := build/asan

.PHONY: all check bench install clean deps run figures
.SECONDARY:
all: $(R)/tailsweep

$(R)/obj/%.o: %.c $(HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -c $< -o $@
$(A)/obj/%.o: %.c $(HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c $< -o $@

$(R)/libtailsweep.a: $(LIB_SRC:%.c=$(R)/obj/%.o)
	rm -f $@ && ar rcs $@ $^
$(A)/libtailsweep.a: $(LIB_SRC:%.c=$(A)/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(R)/tailsweep: $(CLI_SRC:%.c=$(R)/obj/%.o) $(R)/libtailsweep.a
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(LIBS)
$(A)/tailsweep: $(CLI_SRC:%.c=$(A)/obj/%.o) $(A)/libtailsweep.a
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(LIBS)

$(A)/tests/%: $(A)/obj/tests/unit/%.o $(A)/libtailsweep.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(LIBS) -lcmocka

TEST_BINS := $(TEST_SRC:tests/unit/%.c=$(A)/tests/%)

# Small C drivers the Python oracles run (tests/oracle/*.c), sanitizer build.
ORACLE_BINS := $(patsubst tests/oracle/%.c,$(A)/oracle/%,$(wildcard tests/oracle/*.c))
$(A)/oracle/%: $(A)/obj/tests/oracle/%.o $(A)/libtailsweep.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(LIBS)
$(A)/obj/tests/oracle/%.o: tests/oracle/%.c $(HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -Itests/unit -c $< -o $@

# SIMD == scalar bit checks (tests/simd/*.c): optimised build, the only one
# in which `#pragma omp simd` loops vectorise.
SIMD_BINS := $(patsubst tests/simd/%.c,$(R)/simd/%,$(wildcard tests/simd/*.c))
$(R)/simd/%: $(R)/obj/tests/simd/%.o $(R)/libtailsweep.a
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(LIBS)

# deps: only when a needed tool or library is missing does this call apt-get.
deps:
	@command -v mpicc >/dev/null && pkg-config --exists $(PKGS) cmocka \
	  && /usr/bin/python3 -c 'import scipy, h5py' 2>/dev/null \
	  && [ -d /usr/share/datasets/fashion-mnist ] && [ -f /usr/include/dnnl.h ] \
	  || scripts/install-deps.sh

check: $(A)/tailsweep $(TEST_BINS) $(ORACLE_BINS) $(R)/tailsweep $(SIMD_BINS)
	@tests/run.sh $(A) $(R)

BENCH_BINS := $(patsubst %.c,%,$(wildcard bench/*.c))
bench: $(R)/tailsweep $(BENCH_BINS)
	@scripts/install-deps.sh --bench
	bench/run.sh

bench/%: bench/%.c bench/bench_common.h $(R)/libtailsweep.a
	$(CC) $(RELEASE_CFLAGS) $(filter-out %.h,$^) -o $@ $(LIBS)

# The main job: the paper's figure 6 on this machine's cores. Rank 0 only
# schedules and sleeps, so nproc + 1 ranks keep every core busy. Rerunning
# resumes (or does nothing when the store is complete).
NPROC := $(shell nproc 2>/dev/null || echo 2)
run: $(R)/tailsweep
	@mkdir -p results
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
	  mpirun -n $$(( $(NPROC) + 1 )) --oversubscribe --bind-to none \
	  $(R)/tailsweep run jobs/fig6.yaml
	$(R)/tailsweep status results/fig6.h5

# The figures of the shipped small jobs (docs/aggregate.md): each job is run
# (or resumed, or left alone when complete), aggregated and plotted into
# results/: the SDE figures, the linear jobs' curve and tail-index maps, and
# the GNI toy job's loss by M (paper figure 5) and a small GNI job's
# gradient-noise figure (figure 8, row 2).
MPIRUN = OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  mpirun -n $$(( $(NPROC) + 1 )) --oversubscribe --bind-to none
figures: $(R)/tailsweep
	@mkdir -p results
	$(MPIRUN) $(R)/tailsweep run jobs/fig6.yaml
	$(MPIRUN) $(R)/tailsweep run jobs/shiftmap_small.yaml
	$(R)/tailsweep aggregate results/fig6.h5
	$(R)/tailsweep aggregate results/shiftmap_small.h5
	$(R)/tailsweep plot results/fig6.h5 --figure fig6 -o results/fig6.png
	$(R)/tailsweep plot results/fig6.h5 --figure shiftmap -o results/fig6_shiftmap.png
	$(R)/tailsweep plot results/shiftmap_small.h5 --figure shiftmap -o results/shiftmap_small.png
	$(MPIRUN) $(R)/tailsweep run jobs/heavy_tail_linreg.yaml
	$(MPIRUN) $(R)/tailsweep run jobs/noisy_sgd.yaml
	$(MPIRUN) $(R)/tailsweep run jobs/gni_toy.yaml
	$(MPIRUN) $(R)/tailsweep run jobs/gni_figures.yaml
	$(R)/tailsweep aggregate results/heavy_tail_linreg.h5
	$(R)/tailsweep aggregate results/noisy_sgd.h5
	$(R)/tailsweep aggregate results/gni_toy.h5
	$(R)/tailsweep aggregate results/gni_figures.h5
	$(R)/tailsweep plot results/noisy_sgd.h5 --figure curve --value final_test_loss --x B --by sigma -o results/noisy_sgd_test_loss.png
	$(R)/tailsweep plot results/noisy_sgd.h5 --figure curve --value final_test_loss --x B --by sigma --diff-from B=1 -o results/noisy_sgd_paired.png
	$(R)/tailsweep plot results/heavy_tail_linreg.h5 --figure map --value tail_index_hill --x B --y eta -o results/heavy_tail_hill.png
	$(R)/tailsweep plot results/heavy_tail_linreg.h5 --figure map --value tail_index_blocksum --x B --y eta -o results/heavy_tail_blocksum.png
	$(R)/tailsweep plot results/gni_toy.h5 --figure loss --by M -o results/gni_toy_loss.png
	$(R)/tailsweep plot results/gni_toy.h5 --figure curve --value final_train_loss --x M --diff-from M=1 -o results/gni_toy_paired.png
	$(R)/tailsweep plot results/gni_figures.h5 --figure gradnoise --by sigma2 -o results/gni_figures_gradnoise.png

install: $(R)/tailsweep
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/tailsweep
	install -m 755 $(R)/tailsweep $(DESTDIR)$(PREFIX)/bin/tailsweep
	install -m 644 $(R)/libtailsweep.a $(DESTDIR)$(PREFIX)/lib/libtailsweep.a
	install -m 644 include/tailsweep/*.h $(DESTDIR)$(PREFIX)/include/tailsweep/
	install -d $(DESTDIR)$(PREFIX)/share/tailsweep
	install -m 755 tools/plot_store.py $(DESTDIR)$(PREFIX)/share/tailsweep/plot_store.py

clean:
	rm -rf build $(BENCH_BINS)
