// SPDX-License-Identifier: GPL-2.0
/*
 * A small JSON writer: objects and arrays nest up to 8 deep, strings are
 * escaped as RFC 8259 asks (quote, backslash, control characters, and the
 * C1 controls and DEL too).  kipc names are bytes: valid UTF-8 passes
 * through, any other byte >= 0x80 becomes \u00XX (its Latin-1 reading),
 * so the output is always valid.
 */
#include <inttypes.h>

#include "kipcctl.h"

#define KC_JSON_MAX_DEPTH	8

void kc_json_init(struct kc_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
}

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Length of the valid UTF-8 sequence at @p (lead byte >= 0x80), or 0. */
int kc_utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* no overlong forms, surrogates or code points above U+10FFFF */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (!is_cont(p[i]))
			return 0;
	return n;
}

static void json_string(FILE *f, const char *s)
{
	const unsigned char *p;
	int n;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			n = kc_utf8_len(p);
			if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
				/* a C1 control (U+0080..U+009F) */
				fprintf(f, "\\u%04x", p[1]);
				p++;
			} else if (n) {
				fwrite(p, 1, n, f);
				p += n - 1;
			} else {
				fprintf(f, "\\u%04x", *p);
			}
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The separator and the key (inside an object) before a value. */
static void json_key(struct kc_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		json_string(j->f, key);
		fputc(':', j->f);
	}
}

void kc_json_open(struct kc_json *j, const char *key, char bracket)
{
	json_key(j, key);
	fputc(bracket, j->f);
	if (j->depth + 1 < KC_JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

void kc_json_close(struct kc_json *j, char bracket)
{
	fputc(bracket, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0 && bracket != 0)
		j->need_comma[0] = true;
}

void kc_json_str(struct kc_json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j->f, s);
}

void kc_json_u64(struct kc_json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void kc_json_i64(struct kc_json *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRId64, v);
}
