#ifndef CRUCIBLE_LIBSSH2_SHIM_H
#define CRUCIBLE_LIBSSH2_SHIM_H
#include <libssh2.h>
#include <libssh2_sftp.h>
#endif
