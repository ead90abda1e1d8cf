#ifndef CRUCIBLE_LIBEDIT_SHIM_H
#define CRUCIBLE_LIBEDIT_SHIM_H
#include <stdio.h>
#include <editline/readline.h>
#endif
