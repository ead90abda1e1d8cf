#ifndef CRUCIBLE_LIBEDIT_SHIM_H
#define CRUCIBLE_LIBEDIT_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <editline/readline.h>

/* libedit's readline globals are mutable C variables, which Swift 6 refuses to touch
   directly (they are not concurrency-safe). crucible has one line editor per process,
   used from one thread at a time; these accessors are its only way to them. */

static inline const char *crucible_line_buffer(void) { return rl_line_buffer; }

/* Our own key reader: it turns an interrupted read (Ctrl-C) into the end of the line. */
static inline void crucible_set_getc(int (*reader)(FILE *)) { rl_getc_function = reader; }

/* libedit must not install its own signal handlers: the REPL's SIGINT handler decides. */
static inline void crucible_set_catch_signals(int on) { rl_catch_signals = on; }

static inline void crucible_set_completer(char **(*completer)(const char *, int, int)) {
    rl_attempted_completion_function = completer;
}

/* 1: only our candidates; 0: fall back to file names (for `:load`). */
static inline void crucible_set_completion_over(int over) { rl_attempted_completion_over = over; }

static inline void crucible_set_append_character(int character) { rl_completion_append_character = character; }

#endif
