// libcurl's easy API for Swift: curl_easy_setopt and curl_easy_getinfo are variadic, which Swift
// cannot call, so each argument type gets a typed wrapper; the CURLAUTH_* masks are casts Swift
// does not import. Header-only: a system-library target has no sources of its own.
#ifndef KMON_CCURL_SHIM_H
#define KMON_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*kmon_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode kmon_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kmon_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kmon_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kmon_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kmon_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kmon_curl_setopt_write_function(CURL *handle, kmon_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode kmon_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline long kmon_curl_auth_basic(void) { return (long)CURLAUTH_BASIC; }

#endif
