/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * html.c - see html.h.
 */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One conversion spec ("%-8.3lld") copied into spec; returns its length,
 * or 0 when it is not one html_printf takes. */
static size_t
scan_spec(const char *f, char spec[24])
{
    size_t n = 1;

    while (f[n] == '-' || f[n] == '0' || (f[n] >= '1' && f[n] <= '9') || f[n] == '.')
        n++;
    if (f[n] == 'l' && f[n + 1] == 'l')
        n += 2;
    else if (f[n] == 'l' || f[n] == 'z')
        n++;
    if (strchr("sdiuxcfg", f[n]) == NULL || n + 1 >= 24)
        return 0;
    memcpy(spec, f, n + 1);
    spec[n + 1] = '\0';
    return n + 1;
}

void
html_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    const char *f = fmt;

    va_start(ap, fmt);
    while (*f) {
        const char *pct = strchr(f, '%');
        char spec[24];
        size_t n;

        if (pct == NULL) {
            buf_puts(b, f);
            break;
        }
        buf_append(b, f, (size_t)(pct - f));
        if (pct[1] == '%') {
            buf_append(b, "%", 1);
            f = pct + 2;
            continue;
        }
        n = scan_spec(pct, spec);
        if (n == 0) {
            /* a conversion the page builder does not know: never guess at
             * the arguments */
            b->failed = true;
            break;
        }
        switch (spec[n - 1]) {
        case 's':
            buf_puts_html(b, va_arg(ap, const char *));
            break;
        case 'f':
        case 'g':
            buf_printf(b, spec, va_arg(ap, double));
            break;
        case 'c':
            buf_printf(b, spec, va_arg(ap, int));
            break;
        default: {
            bool ll = strstr(spec, "ll") != NULL, l = !ll && strchr(spec, 'l') != NULL,
                 z = strchr(spec, 'z') != NULL, unsig = strchr("ux", spec[n - 1]) != NULL;
            if (ll && unsig)
                buf_printf(b, spec, va_arg(ap, unsigned long long));
            else if (ll)
                buf_printf(b, spec, va_arg(ap, long long));
            else if (l && unsig)
                buf_printf(b, spec, va_arg(ap, unsigned long));
            else if (l)
                buf_printf(b, spec, va_arg(ap, long));
            else if (z)
                buf_printf(b, spec, va_arg(ap, size_t));
            else if (unsig)
                buf_printf(b, spec, va_arg(ap, unsigned));
            else
                buf_printf(b, spec, va_arg(ap, int));
        }
        }
        f = pct + n;
    }
    va_end(ap);
}
