/* HTTP/1.x method and status from the first bytes of a request or response (docs/variants.md,
 * "Method and status"). Pure functions of a zero-filled TCPREQ_HTTP_PEEK-byte buffer (two
 * 64-bit words, so loads are aligned), of which the first `n` bytes were read: only their
 * results leave the kernel, never the bytes. Shared with Swift (CKmonEvents), whose unit tests
 * run this very code (TcpreqHTTPParseTests).
 * A token compares as one masked 64-bit load: the buffer is zero past what was read and no
 * token holds a zero byte, so a short read cannot match. Little-endian targets only. */
#ifndef KMON_TCPREQ_HTTP_H
#define KMON_TCPREQ_HTTP_H

#include <linux/types.h>
#include "tcpreq.h"

#define TCPREQ_HTTP_INLINE static inline __attribute__((always_inline))

/* Bytes a-h as a little-endian 64-bit word (BPF targets here are little-endian). */
#define TCPREQ_HTTP_WORD(a, b, c, d, e, f, g, h)                                                        \
    ((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | (__u64)(e) << 32 |     \
     (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)
#define TCPREQ_HTTP_MASK(len) ((len) == 8 ? ~0ULL : (1ULL << (8 * (len))) - 1)
#define TCPREQ_HTTP_TOKEN(w, len, word) (((w) & TCPREQ_HTTP_MASK(len)) == (word))

/* Bytes to read: a method token and its space fit in 8, "HTTP/1.x NNN" in 12. */
#define TCPREQ_HTTP_REQUEST_PEEK 8
#define TCPREQ_HTTP_RESPONSE_PEEK 12

/* The method that `head` (zero-filled, `n` bytes read) starts with; NOT_HTTP for anything else
 * read, UNKNOWN when nothing was. */
TCPREQ_HTTP_INLINE __u8 tcpreq_http_method(const __u64 *head, __u32 n)
{
    if (n == 0)
        return TCPREQ_HTTP_UNKNOWN;
    __u64 w = head[0];
    if (TCPREQ_HTTP_TOKEN(w, 4, TCPREQ_HTTP_WORD('G', 'E', 'T', ' ', 0, 0, 0, 0)))
        return TCPREQ_HTTP_GET;
    if (TCPREQ_HTTP_TOKEN(w, 5, TCPREQ_HTTP_WORD('P', 'O', 'S', 'T', ' ', 0, 0, 0)))
        return TCPREQ_HTTP_POST;
    if (TCPREQ_HTTP_TOKEN(w, 4, TCPREQ_HTTP_WORD('P', 'U', 'T', ' ', 0, 0, 0, 0)))
        return TCPREQ_HTTP_PUT;
    if (TCPREQ_HTTP_TOKEN(w, 5, TCPREQ_HTTP_WORD('H', 'E', 'A', 'D', ' ', 0, 0, 0)))
        return TCPREQ_HTTP_HEAD;
    if (TCPREQ_HTTP_TOKEN(w, 7, TCPREQ_HTTP_WORD('D', 'E', 'L', 'E', 'T', 'E', ' ', 0)))
        return TCPREQ_HTTP_DELETE;
    if (TCPREQ_HTTP_TOKEN(w, 6, TCPREQ_HTTP_WORD('P', 'A', 'T', 'C', 'H', ' ', 0, 0)))
        return TCPREQ_HTTP_PATCH;
    if (TCPREQ_HTTP_TOKEN(w, 8, TCPREQ_HTTP_WORD('O', 'P', 'T', 'I', 'O', 'N', 'S', ' ')))
        return TCPREQ_HTTP_OPTIONS;
    if (TCPREQ_HTTP_TOKEN(w, 8, TCPREQ_HTTP_WORD('C', 'O', 'N', 'N', 'E', 'C', 'T', ' ')))
        return TCPREQ_HTTP_CONNECT;
    if (TCPREQ_HTTP_TOKEN(w, 6, TCPREQ_HTTP_WORD('T', 'R', 'A', 'C', 'E', ' ', 0, 0)))
        return TCPREQ_HTTP_TRACE;
    return TCPREQ_HTTP_NOT_HTTP;
}

/* A decimal digit's value, or 10 for any other byte. */
TCPREQ_HTTP_INLINE __u32 tcpreq_http_digit(__u64 word, __u32 index)
{
    __u32 c = (word >> (8 * index)) & 0xff;
    return c >= '0' && c <= '9' ? c - '0' : 10;
}

/* The status code of a status line "HTTP/1.x NNN" at `head`; 0 for anything else. */
TCPREQ_HTTP_INLINE __u16 tcpreq_http_status(const __u64 *head)
{
    __u64 w = head[0], rest = head[1];
    if (!TCPREQ_HTTP_TOKEN(w, 7, TCPREQ_HTTP_WORD('H', 'T', 'T', 'P', '/', '1', '.', 0)) || tcpreq_http_digit(w, 7) > 9)
        return 0;
    __u32 a = tcpreq_http_digit(rest, 1), b = tcpreq_http_digit(rest, 2), c = tcpreq_http_digit(rest, 3);
    if ((rest & 0xff) != ' ' || a > 9 || b > 9 || c > 9)
        return 0;
    return a * 100 + b * 10 + c;
}

#endif
