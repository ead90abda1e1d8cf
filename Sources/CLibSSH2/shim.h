#ifndef CRUCIBLE_LIBSSH2_SHIM_H
#define CRUCIBLE_LIBSSH2_SHIM_H

/*
 * Swift cannot import libssh2's function-like macros, nor the constants defined through
 * other macros or expressions. Each one used by Sources/SSH gets a static inline wrapper
 * here, named after the macro with a `crucible_` prefix. Lengths are byte counts.
 */

#include <libssh2.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* MARK: - session */

static inline LIBSSH2_SESSION *crucible_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline int crucible_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

/* MARK: - authentication */

static inline int crucible_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *username,
                                                       const char *publickey, const char *privatekey,
                                                       const char *passphrase) {
    return libssh2_userauth_publickey_fromfile_ex(session, username, (unsigned int)strlen(username),
                                                  publickey, privatekey, passphrase);
}

static inline int crucible_userauth_password(LIBSSH2_SESSION *session, const char *username,
                                             const char *password) {
    return libssh2_userauth_password_ex(session, username, (unsigned int)strlen(username),
                                        password, (unsigned int)strlen(password), NULL);
}

/* MARK: - channels */

static inline LIBSSH2_CHANNEL *crucible_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                   NULL, 0);
}

static inline int crucible_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1,
                                           command, (unsigned int)strlen(command));
}

static inline ssize_t crucible_channel_read(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, 0, buffer, length);
}

static inline ssize_t crucible_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buffer, length);
}

static inline ssize_t crucible_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length) {
    return libssh2_channel_write_ex(channel, 0, buffer, length);
}

static inline int crucible_channel_send_eof(LIBSSH2_CHANNEL *channel) {
    return libssh2_channel_send_eof(channel);
}

/* MARK: - known hosts */

/* HMAC-SHA1 from libcrypto (the OpenSSL libssh2 is built on): hashed known_hosts names are
 * `|1|SALT|HMAC-SHA1(SALT, name)`. `out` holds 20 bytes; returns 0 on success. */
static inline int crucible_hmac_sha1(const unsigned char *key, int keyLength,
                                     const unsigned char *data, size_t dataLength, unsigned char *out) {
    unsigned int outLength = 0;
    return HMAC(EVP_sha1(), key, keyLength, data, dataLength, out, &outLength) != NULL && outLength == 20 ? 0 : -1;
}

/* MARK: - sockets */

static inline short crucible_poll_in(void) { return POLLIN; }
static inline short crucible_poll_out(void) { return POLLOUT; }
static inline int crucible_tcp_nodelay(void) { return TCP_NODELAY; }
static inline int crucible_tcp_quickack(void) { return TCP_QUICKACK; }

#endif
