/* svg.c: gnuplot's SVG checked for anything active and tidied. */
#include "svg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "util.h"

/* The elements gnuplot's svg terminal draws with. */
static const char *const svg_elements[] = {
	"svg", "g", "title", "desc", "defs", "rect", "circle", "ellipse",
	"line", "polyline", "polygon", "path", "use", "text", "tspan",
	"filter", "feFlood", "feComposite", "feOffset", "feGaussianBlur",
	"feMerge", "feMergeNode", "clipPath", "pattern", "linearGradient",
	"radialGradient", "stop", "marker", "symbol",
};

/* A tag being read: where it is, for messages. */
struct svg_scan {
	const char *p, *end, *base;
	struct strbuf *out;
	char **cause;
};

/* Refuses the SVG at the scan's place; returns -1. */
static int
svg_refuse(const struct svg_scan *s, const char *what)
{
	return util_fail(s->cause, "SVG byte %zu: %s", (size_t)(s->p -
	    s->base), what);
}

/* Refuses the SVG for what, naming the n bytes at name; returns -1. */
static int
svg_refuse_name(const struct svg_scan *s, const char *what,
    const char *name, size_t n)
{
	char *safe = util_strndup(name, n > 40 ? 40 : n);
	int rc;

	rc = util_fail(s->cause, "SVG byte %zu: %s (%s)", (size_t)(s->p -
	    s->base), what, safe);
	free(safe);
	return rc;
}

/* Says whether c may be part of a name. */
static int
svg_namec(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-' ||
	    c == '.';
}

/* Says whether c is XML white space. */
static int
svg_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads a name at s->p; returns its length (0: none). */
static size_t
svg_name(struct svg_scan *s)
{
	const char *q = s->p;

	while (q < s->end && svg_namec(*q))
		q++;
	return (size_t)(q - s->p);
}

/* Says whether the element name (n bytes) is one gnuplot draws with. */
static int
svg_element_ok(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(svg_elements) / sizeof(svg_elements[0]); i++)
		if (strlen(svg_elements[i]) == n &&
		    memcmp(svg_elements[i], name, n) == 0)
			return 1;
	return 0;
}

/* Says whether v (n bytes) holds needle, ignoring case. */
static int
svg_holds(const char *v, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(v + i, needle, k) == 0)
			return 1;
	return 0;
}

/*
 * Checks one attribute: name (nl bytes) and value (vl bytes). Returns
 * NULL, or why it is refused.
 */
static const char *
svg_attr_why(const char *name, size_t nl, const char *v, size_t vl)
{
	const char *local = memchr(name, ':', nl);
	size_t i;

	local = local ? local + 1 : name;
	if (nl >= 2 && strncasecmp(name, "on", 2) == 0)
		return "an event handler attribute";
	if (svg_holds(v, vl, "javascript:") || svg_holds(v, vl, "&#") ||
	    memchr(v, '<', vl) != NULL)
		return "an attribute value that could run a script";
	if ((size_t)(name + nl - local) == 4 && strncasecmp(local, "href",
	    4) == 0 && (vl == 0 || v[0] != '#'))
		return "a reference out of the document";
	for (i = 0; i + 4 <= vl; i++)
		if (strncasecmp(v + i, "url(", 4) == 0 && (i + 4 == vl ||
		    v[i + 4] != '#'))
			return "a url() out of the document";
	return NULL;
}

/* Reads the attributes of a start tag up to its end; copies them. */
static int
svg_attrs(struct svg_scan *s)
{
	const char *name, *v, *why;
	size_t nl;
	char q;

	for (;;) {
		while (s->p < s->end && svg_space(*s->p))
			strbuf_addc(s->out, *s->p++);
		if (s->p < s->end && *s->p == '>')
			return strbuf_addc(s->out, *s->p++), 0;
		if (s->end - s->p >= 2 && memcmp(s->p, "/>", 2) == 0) {
			s->p += 2;
			return strbuf_adds(s->out, "/>"), 0;
		}
		name = s->p;
		if ((nl = svg_name(s)) == 0)
			return svg_refuse(s, "a malformed tag");
		s->p += nl;
		while (s->p < s->end && svg_space(*s->p))
			s->p++;
		if (s->p < s->end && *s->p == '=')
			s->p++;
		else
			s->p = s->end;
		while (s->p < s->end && svg_space(*s->p))
			s->p++;
		if (s->p == s->end || ((q = *s->p) != '"' && q != '\''))
			return svg_refuse(s, "an attribute without a quoted "
			    "value");
		v = s->p + 1;
		s->p = memchr(v, q, (size_t)(s->end - v));
		if (s->p == NULL) {
			s->p = s->end;
			return svg_refuse(s, "an unterminated attribute");
		}
		if ((why = svg_attr_why(name, nl, v, (size_t)(s->p - v)))) {
			s->p = name;
			return svg_refuse_name(s, why, name, nl);
		}
		strbuf_add(s->out, name, nl);
		strbuf_addc(s->out, '=');
		strbuf_add(s->out, v - 1, (size_t)(s->p - v) + 2);
		s->p++;
	}
}

/* Reads one tag at s->p ('<'), checks and copies it. */
static int
svg_tag(struct svg_scan *s)
{
	const char *tag = s->p, *name;
	int closing;
	size_t n;

	if (s->end - s->p >= 2 && (s->p[1] == '!' || s->p[1] == '?'))
		return svg_refuse(s, "a comment, CDATA section, declaration "
		    "or processing instruction");
	closing = s->end - s->p >= 2 && s->p[1] == '/';
	strbuf_add(s->out, s->p, closing ? 2 : 1);
	s->p += closing ? 2 : 1;
	n = svg_name(s);
	if (n == 0)
		return svg_refuse(s, "a malformed tag");
	if (!svg_element_ok(s->p, n)) {
		name = s->p;
		s->p = tag;
		return svg_refuse_name(s, "an element that is not a drawing "
		    "element", name, n);
	}
	strbuf_add(s->out, s->p, n);
	s->p += n;
	if (!closing)
		return svg_attrs(s);
	while (s->p < s->end && svg_space(*s->p))
		s->p++;
	if (s->p == s->end || *s->p != '>')
		return svg_refuse(s, "a malformed end tag");
	strbuf_addc(s->out, *s->p++);
	return 0;
}

/* Copies the XML declaration at the start, if any. */
static int
svg_declaration(struct svg_scan *s)
{
	const char *e;

	if (s->end - s->p < 5 || memcmp(s->p, "<?xml", 5) != 0)
		return 0;
	for (e = s->p + 5; e + 1 < s->end && !(e[0] == '?' && e[1] == '>');
	    e++)
		if (*e == '<' || *e == '>')
			break;
	if (e + 1 >= s->end || e[0] != '?')
		return svg_refuse(s, "a malformed XML declaration");
	strbuf_add(s->out, s->p, (size_t)(e + 2 - s->p));
	s->p = e + 2;
	return 0;
}

char *
svg_clean(const char *svg, size_t len, char **cause)
{
	struct strbuf out;
	struct svg_scan s = { svg, svg + len, svg, &out, cause };
	int tags = 0, rc;

	strbuf_init(&out, len + len / 16);
	if (memchr(svg, '\0', len) != NULL)
		rc = svg_refuse(&s, "a NUL byte");
	else
		rc = svg_declaration(&s);
	while (rc == 0 && s.p < s.end) {
		if (*s.p == '<') {
			if (tags++ == 0 && (s.end - s.p < 4 ||
			    memcmp(s.p, "<svg", 4) != 0))
				rc = svg_refuse(&s, "no <svg> element first");
			else
				rc = svg_tag(&s);
		} else if (*s.p == '>') {
			strbuf_adds(&out, "&gt;");
			s.p++;
		} else {
			strbuf_addc(&out, *s.p++);
		}
	}
	if (rc == 0 && tags == 0)
		rc = svg_refuse(&s, "no <svg> element");
	if (rc == -1) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out);
}

const char *
svg_root(const char *svg)
{
	return svg != NULL ? strstr(svg, "<svg") : NULL;
}
