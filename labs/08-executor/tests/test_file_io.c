/* test_file_io.c — async file writes and reads at offsets on every backend: what is
 * written in scattered chunks reads back identical (checked against the plain
 * pread(2) of the same file), a read past the end returns 0, and a read from a file
 * opened write-only reports -EBADF. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

enum { CHUNK = 4096, CHUNKS = 16 };

typedef struct filejob {
    exec_future base;
    exec_fd *fd;
    unsigned char *data; /* CHUNK * CHUNKS bytes */
    unsigned char *back;
    unsigned i;
    int phase; /* 0 write, 1 read, 2 read past the end */
    bool busy;
    exec_io op;
    int64_t err, tail;
} filejob;

static exec_poll filejob_poll(exec_future *f, exec_cx *cx)
{
    filejob *j = (filejob *)(void *)f;
    for (;;) {
        if (!j->busy) {
            if (j->phase == 3)
                return EXEC_READY;
            /* write the chunks in a scrambled order, read them back in another */
            unsigned k = j->phase == 0 ? (j->i * 5u) % CHUNKS : (j->i * 11u) % CHUNKS;
            uint64_t off = (uint64_t)k * CHUNK;
            if (j->phase == 0)
                exec_io_pwrite(&j->op, j->fd, j->data + off, CHUNK, off);
            else if (j->phase == 1)
                exec_io_pread(&j->op, j->fd, j->back + off, CHUNK, off);
            else
                exec_io_pread(&j->op, j->fd, j->back, CHUNK, (uint64_t)CHUNK * CHUNKS);
            j->busy = true;
        }
        if (exec_future_poll(&j->op.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        j->busy = false;
        if (j->phase == 2) {
            j->tail = j->op.result;
            j->phase = 3;
            continue;
        }
        if (j->op.result != CHUNK) {
            j->err = j->op.result < 0 ? j->op.result : -EIO;
            return EXEC_READY;
        }
        if (++j->i == CHUNKS) {
            j->i = 0;
            j->phase++;
        }
    }
}

static void test_file_roundtrip(void **state)
{
    exec_rt *rt = rt_for(state);
    char path[] = "/tmp/exec-file-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    exec_fd *fd;
    assert_int_equal(exec_file_open(rt, path, O_RDWR | O_TRUNC, 0600, &fd), 0);
    filejob job = {.base = {filejob_poll, NULL}, .fd = fd};
    job.data = malloc(CHUNK * CHUNKS);
    job.back = calloc(CHUNK * CHUNKS, 1);
    cmn_rng r;
    cmn_test_rng(&r);
    for (size_t i = 0; i < CHUNK * CHUNKS; i++)
        job.data[i] = (unsigned char)cmn_rng_next(&r);
    exec_join *j = exec_rt_spawn(rt, &job.base, sizeof job);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    filejob *o = exec_join_output(j);
    assert_int_equal(o->err, 0);
    assert_int_equal(o->tail, 0);
    assert_memory_equal(o->back, job.data, CHUNK * CHUNKS);
    /* the reference: what the kernel says is in the file */
    unsigned char *ref = malloc(CHUNK * CHUNKS);
    int plain = open(path, O_RDONLY);
    assert_int_equal(pread(plain, ref, CHUNK * CHUNKS, 0), CHUNK * CHUNKS);
    close(plain);
    assert_memory_equal(ref, job.data, CHUNK * CHUNKS);
    exec_join_drop(j);
    exec_fd_close(fd);

    /* write-only: reading is refused with EBADF */
    assert_int_equal(exec_file_open(rt, path, O_WRONLY, 0, &fd), 0);
    filejob bad = {
        .base = {filejob_poll, NULL}, .fd = fd, .data = job.data, .back = job.back, .phase = 1};
    j = exec_rt_spawn(rt, &bad.base, sizeof bad);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    assert_int_equal(((filejob *)exec_join_output(j))->err, -EBADF);
    exec_join_drop(j);
    exec_fd_close(fd);
    assert_int_equal(exec_file_open(rt, "/nonexistent/dir/x", O_RDONLY, 0, &fd), -ENOENT);
    unlink(path);
    free(ref);
    free(job.data);
    free(job.back);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_file_roundtrip),
    RT_TESTS_SETUPS(test_file_roundtrip),
};

CMN_TEST_MAIN(tests)
