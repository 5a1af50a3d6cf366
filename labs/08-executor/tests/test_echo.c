/* test_echo.c — the echo server with many concurrent connections over loopback, on
 * every backend: every message of every client comes back whole and unchanged, the
 * server accepts exactly the connections made, and nothing is left at shutdown. */
#include <errno.h>
#include <stdlib.h>

#include "exec_echo.h"
#include "support.h"

enum { CONNS = 64, MSGS = 50 };

static void run_echo(void **state, unsigned size)
{
    exec_rt *rt = rt_for(state);
    exec_fd *lst;
    assert_int_equal(exec_tcp_listen(rt, "127.0.0.1", 0, 128, &lst), 0);
    uint16_t port = exec_fd_port(lst);
    assert_true(port != 0);
    exec_echo_server srv;
    exec_echo_server_init(&srv, rt, lst, CONNS);
    exec_join *js = exec_rt_spawn(rt, &srv.base, sizeof srv);
    exec_join **jc = calloc(CONNS, sizeof *jc);
    exec_echo_client *c = malloc(sizeof *c);
    cmn_rng r;
    cmn_test_rng(&r);
    for (unsigned i = 0; i < CONNS; i++) {
        exec_echo_client_init(c, rt, port, MSGS, size, cmn_rng_next(&r), NULL);
        jc[i] = exec_rt_spawn(rt, &c->base, sizeof *c);
        assert_non_null(jc[i]);
    }
    for (unsigned i = 0; i < CONNS; i++) {
        assert_int_equal(exec_rt_block_on(rt, jc[i]), 0);
        exec_echo_client *o = exec_join_output(jc[i]);
        if (o->err)
            fail_msg("client %u: error %d after %u messages", i, o->err, o->done);
        assert_int_equal(o->done, MSGS);
        exec_join_drop(jc[i]);
    }
    assert_int_equal(exec_rt_block_on(rt, js), 0);
    exec_echo_server *so = exec_join_output(js);
    assert_int_equal(so->accepted, CONNS);
    assert_int_equal(so->err, 0);
    exec_join_drop(js);
    free(c);
    free(jc);
    exec_fd_close(lst);
    rt_free_checked(rt);
}

static void test_echo_many_connections_small(void **state)
{
    run_echo(state, 64);
}

/* Messages larger than one segment come back in pieces: the loops must reassemble. */
static void test_echo_many_connections_large(void **state)
{
    run_echo(state, EXEC_ECHO_MAX_MSG);
}

static void test_connect_refused_is_reported(void **state)
{
    exec_rt *rt = rt_for(state);
    exec_fd *lst;
    assert_int_equal(exec_tcp_listen(rt, "127.0.0.1", 0, 1, &lst), 0);
    uint16_t port = exec_fd_port(lst);
    exec_fd_close(lst); /* nobody listens there now */
    exec_echo_client c;
    exec_echo_client_init(&c, rt, port, 1, 8, 1, NULL);
    exec_join *j = exec_rt_spawn(rt, &c.base, sizeof c);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    assert_int_equal(((exec_echo_client *)exec_join_output(j))->err, -ECONNREFUSED);
    exec_join_drop(j);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_echo_many_connections_small),
    RT_TESTS_ALL(test_echo_many_connections_large),
    RT_TESTS_ALL(test_connect_refused_is_reported),
    RT_TESTS_SETUPS(test_echo_many_connections_small),
    RT_TESTS_SETUPS(test_echo_many_connections_large),
};

CMN_TEST_MAIN(tests)
