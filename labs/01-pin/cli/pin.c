/* pin.c — the lab's command-line program: the pinned future, a line splitter, the bug.
 *
 *   pin demo [--stack]             one future, pinned on the heap (or the stack), polled
 *                                  by the executor: Pending, an event, then Ready
 *   pin split [--chunk N] [FILE]   splits FILE (default stdin) into lines through the
 *                                  future, feeding the channel N bytes per event
 *   pin realloc-bug [--walk] [N]   N list nodes in a realloc-grown array: the move check
 *                                  stops the program (with --walk: ASan, if built with it)
 *
 * Exit status: 0 success, 1 bad input or a line too long, 2 usage error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "pin_async.h"
#include "pin_bug.h"
#include "pin_lines.h"

static void usage(FILE *to)
{
    fputs("usage: pin demo [--stack]\n"
          "       pin split [--chunk N] [FILE]\n"
          "       pin realloc-bug [--walk] [N]\n",
          to);
}

/* Parses a decimal size in [lo, hi] for option `what`; prints why not and returns -1. */
static int parse_size(const char *what, const char *s, size_t lo, size_t hi, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "pin: %s: expected a whole number from %zu to %zu, got '%s'\n", what, lo,
                hi, s);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

/* --- demo ------------------------------------------------------------------------------ */

typedef struct demo_state {
    pin_lines_pinned f;
    pin_chan_pinned ch;
    size_t polls;
    int stable; /* the recorded address equalled the real one at every poll */
} demo_state;

static pin_poll demo_poll(void *state, pin_context *cx)
{
    demo_state *d = state;
    pin_line line;
    pin_poll r = pin_lines_poll(d->f, cx, &line);
    d->polls++;
    pin_lines *obj = PIN_GET(d->f);
    if (pin_recorded_address(&obj->pin) != (uintptr_t)obj)
        d->stable = 0;
    if (r == PIN_PENDING)
        printf("poll #%zu -> Pending (%s)\n", d->polls,
               pin_chan_waiters(d->ch) == 1 ? "waker registered" : "no waker registered!");
    else if (line.status == 0)
        printf("poll #%zu -> Ready(\"%.*s\")\n", d->polls, (int)line.len, line.text);
    else
        printf("poll #%zu -> Ready(status %d)\n", d->polls, line.status);
    return r;
}

static int run_demo(pin_lines_pinned f, pin_chan_pinned ch)
{
    printf("[addr] after pin:  %p\n", (void *)PIN_GET(f));
    pin_exec ex_slot = PIN_EXEC_INIT;
    pin_exec_pinned ex = PIN_INIT(pin_exec, &ex_slot);
    pin_exec_init(ex);
    demo_state d = {f, ch, 0, 1};
    pin_task task_slot = PIN_TASK_INIT(demo_poll, &d);
    pin_task_pinned task = PIN_INIT(pin_task, &task_slot);
    pin_exec_spawn(ex, task);
    pin_exec_run_until_stalled(ex); /* poll #1: nothing to read yet */
    if (pin_chan_write(ch, "done\n", 5) != 0)
        return 1;
    pin_exec_run_until_stalled(ex); /* the write woke the task: poll #2 */
    printf("address stable: %s\n", d.stable ? "true" : "false");
    return PIN_GET(task)->done && d.stable ? 0 : 1;
}

static int cmd_demo(int argc, char **argv)
{
    int on_stack = argc == 2 && strcmp(argv[1], "--stack") == 0;
    if (argc > 2 || (argc == 2 && !on_stack)) {
        fprintf(stderr, "pin demo: unknown argument '%s'\n", argv[argc - 1]);
        return 2;
    }
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    pin_lines value = pin_lines_make(ch); /* not pinned: free to move */
    printf("[addr] before pin: %p\n", (void *)&value);
    int rc;
    if (on_stack) {
        PIN_STACK(pin_lines, f, value);
        rc = run_demo(f, ch);
        PIN_STACK_DROP(pin_lines, f);
    } else {
        pin_lines_pinned f = PIN_BOX(pin_lines, value);
        if (f.unchecked_ == NULL) {
            fprintf(stderr, "pin demo: out of memory\n");
            return 1;
        }
        rc = run_demo(f, ch);
        PIN_BOX_FREE(pin_lines, f);
    }
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
    return rc;
}

/* --- split ----------------------------------------------------------------------------- */

typedef struct split_state {
    pin_lines_pinned f;
    const char *name;
    int errors;
} split_state;

static pin_poll split_poll(void *state, pin_context *cx)
{
    split_state *s = state;
    pin_line line;
    while (pin_lines_poll(s->f, cx, &line) == PIN_READY) {
        if (line.status == PIN_LINES_EOF)
            return PIN_READY;
        if (line.status == -E2BIG) {
            fprintf(stderr, "pin split: %s:%zu: line longer than %d bytes, skipped\n", s->name,
                    line.lineno, PIN_LINES_BUF - 1);
            s->errors++;
            continue;
        }
        printf("%zu: %.*s\n", line.lineno, (int)line.len, line.text);
    }
    return PIN_PENDING;
}

static int feed(FILE *in, const char *name, size_t chunk, pin_chan_pinned ch, pin_exec_pinned ex)
{
    char *buf = malloc(chunk);
    if (buf == NULL) {
        fprintf(stderr, "pin split: out of memory\n");
        return 1;
    }
    size_t got;
    int rc = 0;
    while ((got = fread(buf, 1, chunk, in)) > 0) {
        if (pin_chan_write(ch, buf, got) != 0) {
            fprintf(stderr, "pin split: out of memory\n");
            rc = 1;
            break;
        }
        pin_exec_run_until_stalled(ex);
    }
    if (ferror(in)) {
        fprintf(stderr, "pin split: %s: read error: %s\n", name, strerror(errno));
        rc = 1;
    }
    free(buf);
    pin_chan_close(ch);
    pin_exec_run_until_stalled(ex);
    return rc;
}

static int split_stream(FILE *in, const char *name, size_t chunk)
{
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    pin_exec ex_slot = PIN_EXEC_INIT;
    pin_exec_pinned ex = PIN_INIT(pin_exec, &ex_slot);
    pin_exec_init(ex);
    PIN_STACK(pin_lines, f, pin_lines_make(ch));
    split_state s = {f, name, 0};
    pin_task task_slot = PIN_TASK_INIT(split_poll, &s);
    pin_task_pinned task = PIN_INIT(pin_task, &task_slot);
    pin_exec_spawn(ex, task);
    pin_exec_run_until_stalled(ex);
    int rc = feed(in, name, chunk, ch, ex);
    fprintf(stderr, "pin split: %zu lines, %zu polls, %zu wakes\n", pin_lines_count(f),
            PIN_GET(task)->polls, PIN_GET(task)->wakes);
    PIN_STACK_DROP(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
    return rc != 0 || s.errors != 0 ? 1 : 0;
}

static int cmd_split(int argc, char **argv)
{
    size_t chunk = 4096;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--chunk") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "pin split: --chunk needs a value\n");
                return 2;
            }
            if (parse_size("split --chunk", argv[++i], 1, 1u << 20, &chunk) != 0)
                return 2;
        } else if (path == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            path = argv[i];
        } else {
            fprintf(stderr, "pin split: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (path == NULL || strcmp(path, "-") == 0)
        return split_stream(stdin, "<stdin>", chunk);
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        fprintf(stderr, "pin split: cannot open '%s': %s\n", path, strerror(errno));
        return 1;
    }
    int rc = split_stream(in, path, chunk);
    fclose(in);
    return rc;
}

/* --- realloc-bug ----------------------------------------------------------------------- */

static int cmd_realloc_bug(int argc, char **argv)
{
    pin_bug_mode mode = PIN_BUG_USE_ARRAY;
    size_t n = 8;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--walk") == 0)
            mode = PIN_BUG_WALK_LINKS;
        else if (parse_size("realloc-bug N", argv[i], 1, 1u << 16, &n) != 0)
            return 2;
    }
    size_t r = pin_bug_realloc(mode, n, 1);
    if (r == SIZE_MAX) {
        fprintf(stderr, "pin realloc-bug: the array never moved; nothing to show\n");
        return 1;
    }
    printf("[bug] walked %zu nodes through freed memory and nothing noticed "
           "(undefined behaviour: build with SAN=address to see it caught)\n",
           r);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "demo") == 0)
        return cmd_demo(argc - 1, argv + 1);
    if (strcmp(argv[1], "split") == 0)
        return cmd_split(argc - 1, argv + 1);
    if (strcmp(argv[1], "realloc-bug") == 0)
        return cmd_realloc_bug(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "pin: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
