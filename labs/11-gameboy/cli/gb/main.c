/* gb — run Game Boy ROMs headless: `gb test`, `gb run`, `gb info`.
 *
 * A thin host around the freestanding core: it reads the ROM file, owns the save RAM
 * (loaded from and written back to ROM.sav for battery-backed carts), and turns the
 * core's callbacks into files: serial text to stdout, the last frame to a PNG.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gb_host.h"
#include "gbcli.h"

static int usage(FILE *out)
{
    fputs("usage: gb test ROM [--timeout SECONDS] [--quiet]\n"
          "       gb run ROM [--frames N] [--screenshot OUT.png] [--wav OUT.wav] [--serial]\n"
          "       gb info ROM\n"
          "       gb debug ROM [--trace OUT.log|-] [--steps N] [--doctor]\n"
          "test exits 0 when the ROM reports success, 1 on failure or time-out,\n"
          "2 when the ROM cannot be loaded or the arguments are wrong.\n",
          out);
    return out == stdout ? 0 : 2;
}

/* Reads an option's numeric argument, with a clear error. */
bool gbcli_number(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = arg ? strtod(arg, &end) : 0;
    if (!arg || errno || end == arg || *end || v < lo || v > hi) {
        fprintf(stderr, "gb: %s needs a number from %g to %g, got '%s'\n", opt, lo, hi,
                arg ? arg : "(nothing)");
        return false;
    }
    *out = v;
    return true;
}

int gbcli_load(const char *path, uint8_t **rom, size_t *size, gb_cart_info *info)
{
    int rc = gbh_read_file(path, rom, size);
    if (rc) {
        fprintf(stderr, "gb: %s: %s\n", path, strerror(-rc));
        return 2;
    }
    gb_error err;
    if (gb_cart_parse(*rom, *size, info, &err)) {
        char msg[256];
        gbh_describe_error(&err, msg, sizeof msg);
        fprintf(stderr, "gb: %s: bad ROM: %s\n", path, msg);
        free(*rom);
        return 2;
    }
    return 0;
}

static int cmd_info(int argc, char **argv)
{
    if (argc != 1)
        return usage(stderr);
    uint8_t *rom;
    size_t size;
    gb_cart_info info;
    int rc = gbcli_load(argv[0], &rom, &size, &info);
    if (rc)
        return rc;
    static const char *mbc[] = {"none", "MBC1", "MBC2", "MBC3", "MBC5"};
    printf("title:    %s\ntype:     $%02X (%s%s%s%s)\nrom:      %u KiB\nram:      %u bytes\n"
           "checksum: header ok, global %s\n",
           info.title, info.type, mbc[info.mbc], info.has_ram ? "+RAM" : "",
           info.has_battery ? "+BATTERY" : "", info.has_rtc ? "+RTC" : "",
           (unsigned)(info.rom_size / 1024), (unsigned)info.ram_size,
           info.global_checksum_ok ? "ok" : "mismatch (hardware ignores it)");
    free(rom);
    return 0;
}

static int cmd_test(int argc, char **argv)
{
    gbh_test_opts opts = {.seconds = 120, .echo = stdout};
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--timeout")) {
            if (!gbcli_number("--timeout", i + 1 < argc ? argv[++i] : NULL, 0.001, 86400,
                              &opts.seconds))
                return 2;
        } else if (!strcmp(argv[i], "--quiet")) {
            opts.echo = NULL;
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "gb test: unexpected argument '%s'\n", argv[i]);
            return usage(stderr);
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage(stderr);
    uint8_t *rom;
    size_t size;
    gb_cart_info info;
    int rc = gbcli_load(path, &rom, &size, &info);
    if (rc)
        return rc;
    gbh_test_result *res = malloc(sizeof *res);
    gbh_run_test(rom, size, &opts, res);
    free(rom);
    if (opts.echo && res->text[0] && res->text[strlen(res->text) - 1] != '\n')
        fputc('\n', stdout);
    switch (res->verdict) {
    case GBH_PASSED:
        printf("gb: %s: passed (%s, %.2f s emulated)\n", path, res->protocol, res->seconds);
        rc = 0;
        break;
    case GBH_FAILED:
        printf("gb: %s: FAILED (%s, %.2f s emulated)\n", path, res->protocol, res->seconds);
        rc = 1;
        break;
    case GBH_TIMEOUT:
        printf("gb: %s: no result after %.0f emulated seconds (time limit)\n", path, opts.seconds);
        rc = 1;
        break;
    default: {
        char msg[256];
        gbh_describe_error(&res->err, msg, sizeof msg);
        fprintf(stderr, "gb: %s: %s\n", path, msg);
        rc = 2;
        break;
    }
    }
    free(res);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
        return usage(stdout);
    if (!strcmp(cmd, "test"))
        return cmd_test(argc - 2, argv + 2);
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return gbcli_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "debug"))
        return gbcli_debug(argc - 2, argv + 2);
    fprintf(stderr, "gb: unknown command '%s'\n", cmd);
    return usage(stderr);
}
