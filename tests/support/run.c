/* run.c — run commands and make scratch folders for the machinery tests. */
#include "run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

int run_cmd(char **out, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd - 32)
        return -1;
    char full[4200];
    snprintf(full, sizeof full, "cd '%s' && ( %s ) 2>&1", TOP, cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len < 1024) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int status = pclose(p);
    if (!buf)
        return -1;
    buf[len] = '\0';
    *out = buf;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

char *scratch_dir(const char *name)
{
    char *path = malloc(4096);
    if (!path)
        return NULL;
    snprintf(path, 4096, "%s/build/machinery-scratch/%s", TOP, name);
    char *out = NULL;
    int rc = run_cmd(&out, "rm -rf '%s' && mkdir -p '%s'", path, path);
    free(out);
    if (rc != 0) {
        free(path);
        return NULL;
    }
    return path;
}

char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (buf) {
        size_t got = fread(buf, 1, (size_t)size, f);
        buf[got] = '\0';
    }
    fclose(f);
    return buf;
}
