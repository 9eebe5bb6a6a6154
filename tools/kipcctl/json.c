// SPDX-License-Identifier: GPL-2.0
/*
 * A small JSON writer: objects and arrays nest up to 8 deep, strings are
 * escaped as RFC 8259 asks (quote, backslash, control characters; bytes
 * >= 0x80 pass through, kipc names are bytes).
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

static void json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
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
