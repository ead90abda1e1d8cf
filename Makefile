# Build, install and uninstall crucible-sh with its man page and shell completions.
#
#   make                       release build
#   make install PREFIX=~/.local
#   make uninstall PREFIX=~/.local
#
# DESTDIR stages an install for packaging. CONFIG=debug installs the debug build (the
# install test uses it with NO_BUILD=1, as it runs inside `swift test`, which holds the
# build directory's lock).

PREFIX ?= /usr/local
DESTDIR ?=
CONFIG ?= release
SWIFT ?= swift
NO_BUILD ?=

BINDIR := $(DESTDIR)$(PREFIX)/bin
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
BUILT := .build/$(CONFIG)/crucible-sh
GENERATED := .build/generated-$(CONFIG)

.PHONY: all build generate install uninstall

all: build

build:
ifeq ($(NO_BUILD),)
	$(SWIFT) build -c $(CONFIG) --product crucible-sh
endif
	@test -x $(BUILT) || { echo "no $(BUILT): run make build CONFIG=$(CONFIG)" >&2; exit 1; }

# The man page and completions come from the built binary, so they match its options.
generate: build
	mkdir -p $(GENERATED)
	$(BUILT) manual > $(GENERATED)/crucible-sh.1
	$(BUILT) --generate-completion-script bash > $(GENERATED)/crucible-sh.bash
	$(BUILT) --generate-completion-script zsh > $(GENERATED)/_crucible-sh
	$(BUILT) --generate-completion-script fish > $(GENERATED)/crucible-sh.fish

install: generate
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 755 $(BUILT) $(BINDIR)/crucible-sh
	install -m 644 $(GENERATED)/crucible-sh.1 $(MANDIR)/crucible-sh.1
	install -m 644 $(GENERATED)/crucible-sh.bash $(BASHDIR)/crucible-sh
	install -m 644 $(GENERATED)/_crucible-sh $(ZSHDIR)/_crucible-sh
	install -m 644 $(GENERATED)/crucible-sh.fish $(FISHDIR)/crucible-sh.fish

uninstall:
	rm -f $(BINDIR)/crucible-sh $(MANDIR)/crucible-sh.1 $(BASHDIR)/crucible-sh $(ZSHDIR)/_crucible-sh \
		$(FISHDIR)/crucible-sh.fish
