/* The state store's encoding (framework/src/stack/codec.c): chunk cuts at
 * UTF-8 boundaries, lease owners, event sort keys, stack names in stack ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"

#include <cfnkit/error.h>

/* Whether s[0..n) is whole UTF-8 sequences (no sequence cut at either end). */
static bool whole_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len = s[i] < 0x80 ? 1 : (s[i] & 0xE0) == 0xC0 ? 2 : (s[i] & 0xF0) == 0xE0 ? 3 : 4;
        if ((s[i] & 0xC0) == 0x80 || i + len > n)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

static void chunks_cut_between_characters(void **state)
{
    (void)state;
    assert_int_equal(stk__chunk_cut("abcdef", 6, 10), 6);
    assert_int_equal(stk__chunk_cut("abcdef", 6, 4), 4);
    /* "a" then U+1F600 (4 bytes) then "b": no cut inside the emoji. */
    const char *emoji = "a\xF0\x9F\x98\x80"
                        "b";
    for (size_t max = 2; max <= 4; max++)
        assert_int_equal(stk__chunk_cut(emoji, 6, max), 1);
    assert_int_equal(stk__chunk_cut(emoji, 6, 5), 5);

    /* Every cut of a long mixed text, at every size, leaves whole characters. */
    char text[4000];
    size_t len = 0;
    const char *pieces[] = {"x", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
    for (int i = 0; len + 4 < sizeof(text); i++) {
        const char *p = pieces[(i * 7 + i / 3) % 4];
        memcpy(text + len, p, strlen(p));
        len += strlen(p);
    }
    for (size_t max = 4; max < 64; max++) {
        size_t at = 0, n = 0;
        while (at < len) {
            size_t cut = stk__chunk_cut(text + at, len - at, max);
            assert_true(cut > 0 && cut <= max);
            assert_true(whole_utf8((const unsigned char *)text + at, cut));
            at += cut;
            n++;
        }
        assert_int_equal(at, len);
        assert_true(n >= len / max);
    }
    /* Not UTF-8 (continuation bytes only): cut at the limit, never 0. */
    assert_int_equal(stk__chunk_cut("\x80\x80\x80\x80\x80\x80", 6, 4), 4);
}

static void owners_round_trip(void **state)
{
    (void)state;
    char owner[STK_OWNER_SIZE], host[256], me[256];
    long pid = 0;
    assert_int_equal(stk__owner_make(owner, sizeof(owner)), 0);
    assert_int_equal(stk__owner_parse(owner, host, sizeof(host), &pid), 0);
    assert_int_equal(pid, (long)getpid());
    stk__hostname(me, sizeof(me));
    assert_string_equal(host, me);
    char again[STK_OWNER_SIZE];
    assert_int_equal(stk__owner_make(again, sizeof(again)), 0);
    assert_string_not_equal(owner, again); /* the random part: one per run */

    assert_int_equal(stk__owner_parse("build-7/4242/ab12", host, sizeof(host), &pid), 0);
    assert_string_equal(host, "build-7");
    assert_int_equal(pid, 4242);
    const char *bad[] = {"",         "host",       "host/12",   "/12/x",     "host//x",
                         "host/12/", "host/x1/ab", "host/0/ab", "host/-3/ab"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(stk__owner_parse(bad[i], host, sizeof(host), &pid), CFN_EINVAL);
        assert_non_null(strstr(cfn_error_last(), "lease owner"));
    }
    char small[8];
    assert_int_equal(stk__owner_parse("a-long-host-name/1/x", small, sizeof(small), &pid),
                     CFN_EINVAL);
    assert_int_equal(stk__owner_make(small, sizeof(small)), CFN_EINVAL);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void event_keys_sort_in_time_order(void **state)
{
    (void)state;
    char k[128];
    assert_int_equal(stk__event_sk(k, sizeof(k), 1796228006707, 3, "e1"), 0);
    assert_string_equal(k, "event#1796228006707#0000000003#e1");

    /* Times of different digit counts and sequences within one millisecond:
     * byte order is (time, sequence) order whatever the ids. */
    int64_t times[] = {5, 999, 1000, 1796228006707, 1796228006707, 9999999999999};
    uint32_t seqs[] = {7, 0, 1, 9, 10, 0};
    const char *ids[] = {"zz", "yy", "xx", "b", "a", "0"};
    char *keys[6];
    for (int i = 5; i >= 0; i--) {
        keys[i] = malloc(128);
        assert_int_equal(stk__event_sk(keys[i], 128, times[i], seqs[i], ids[i]), 0);
    }
    char *sorted[6];
    memcpy(sorted, keys, sizeof(keys));
    qsort(sorted, 6, sizeof(sorted[0]), cmp);
    for (int i = 0; i < 6; i++)
        assert_ptr_equal(sorted[i], keys[i]);
    for (int i = 0; i < 6; i++)
        free(keys[i]);

    char tiny[16];
    assert_int_equal(stk__event_sk(tiny, sizeof(tiny), 1, 1, "id"), CFN_EINVAL);
}

static void stack_names_from_stack_ids(void **state)
{
    (void)state;
    char name[160];
    assert_int_equal(
        stk__stack_name_of("arn:aws:cloudformation:us-east-1:123456789012:stack/dev-hits/"
                           "1c2fa620-982a-11e3-aff7-50e2416294e0",
                           name, sizeof(name)),
        0);
    assert_string_equal(name, "dev-hits");
    const char *bad[] = {"dev-hits", "arn:aws:cloudformation:us-east-1:1:stack//id",
                         "arn:aws:cloudformation:us-east-1:1:stack/dev", "stack/dev/id"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(stk__stack_name_of(bad[i], name, sizeof(name)), CFN_EINVAL);
        assert_non_null(strstr(cfn_error_last(), "is not a stack id"));
    }
    char small[4];
    assert_int_equal(
        stk__stack_name_of("arn:aws:cloudformation:r:1:stack/long-name/id", small, sizeof(small)),
        CFN_EINVAL);
}

static void iso_times(void **state)
{
    (void)state;
    char t[32];
    stk__iso_time(1796228006707, t);
    assert_string_equal(t, "2026-12-02T16:13:26.707Z");
    stk__iso_time(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chunks_cut_between_characters),
        cmocka_unit_test(owners_round_trip),
        cmocka_unit_test(event_keys_sort_in_time_order),
        cmocka_unit_test(stack_names_from_stack_ids),
        cmocka_unit_test(iso_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
