/* kerr.c — names for the kernel core's negative error codes (see kerr.h). */
#include "kerr.h"

const char *kerr_name(int err)
{
    switch (-err) {
    case 0:
        return "OK";
    case KERR_NOENT:
        return "ENOENT";
    case KERR_NOMEM:
        return "ENOMEM";
    case KERR_EXIST:
        return "EEXIST";
    case KERR_INVAL:
        return "EINVAL";
    case KERR_NOSPC:
        return "ENOSPC";
    case KERR_RANGE:
        return "ERANGE";
    default:
        return "E?";
    }
}
