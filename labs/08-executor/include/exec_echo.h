/* exec_echo.h — a TCP echo server and a load client, written as futures.
 *
 * The runtime's worked example of I/O state machines (and what the tests, the bench
 * and `runtime run --bench` use): the server accepts connections and spawns one task
 * per connection that writes back what it reads; the client connects, then sends
 * `msgs` messages of `size` bytes one at a time, waiting for each to come back whole
 * and checking its bytes. Either works on both backends. */
#ifndef EXEC_ECHO_H
#define EXEC_ECHO_H

#include "exec_rt.h"

#define EXEC_ECHO_MAX_MSG 4096

typedef struct exec_echo_server {
    exec_future base;
    exec_rt *rt;
    exec_fd *listener;  /* borrowed */
    unsigned max_conns; /* stop accepting after this many (0: never stop) */
    unsigned accepted;
    bool accepting;
    exec_io op;
    int err; /* first accept error, -errno */
} exec_echo_server;

/* Ready after max_conns connections were accepted (their tasks keep running). */
void exec_echo_server_init(exec_echo_server *s, exec_rt *rt, exec_fd *listener, unsigned max_conns);

typedef struct exec_echo_client {
    exec_future base;
    exec_rt *rt;
    uint16_t port;
    unsigned msgs, size;
    uint64_t seed;
    int state;
    exec_io op;
    exec_fd *sock;
    unsigned done; /* messages echoed back intact */
    size_t off;
    int err;          /* 0, -errno, or -EPROTO for wrong bytes / early EOF */
    uint64_t *rtt_ns; /* optional: msgs round-trip times, filled in */
    uint64_t t_sent;
    unsigned char out[EXEC_ECHO_MAX_MSG], in[EXEC_ECHO_MAX_MSG];
} exec_echo_client;

/* A client of 127.0.0.1:port; size <= EXEC_ECHO_MAX_MSG. rtt_ns may be NULL. */
void exec_echo_client_init(exec_echo_client *c, exec_rt *rt, uint16_t port, unsigned msgs,
                           unsigned size, uint64_t seed, uint64_t *rtt_ns);

#endif
