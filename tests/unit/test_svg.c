/* test_svg.c: gnuplot's SVG checked for anything active, and tidied. */
#include "svg.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

/* svg_clean over s; the result (caller frees) or NULL, *why its cause. */
static char *
clean(const char *s, char **why)
{
	*why = NULL;
	return svg_clean(s, strlen(s), why);
}

/* Checks that s is refused with a cause holding want. */
static void
check_refused(const char *s, const char *want)
{
	char *why, *got = clean(s, &why);

	CHECK(got == NULL);
	if (why == NULL || strstr(why, want) == NULL)
		fprintf(stderr, "  %s: cause \"%s\", want \"%s\"\n", s,
		    why ? why : "(none)", want);
	CHECK(why != NULL && strstr(why, want) != NULL);
	free(got);
	free(why);
}

static void
test_gnuplot_svg_kept(void)
{
	const char *in = "<?xml version=\"1.0\" encoding=\"utf-8\"  "
	    "standalone=\"no\"?>\n<svg \n width=\"600\" height=\"480\"\n "
	    "xmlns=\"http://www.w3.org/2000/svg\"\n "
	    "xmlns:xlink=\"http://www.w3.org/1999/xlink\"\n>\n"
	    "<title>Gnuplot</title>\n<defs>\n\t<circle id='gpDot' r='0.5'/>"
	    "\n</defs>\n<g id=\"gnuplot_plot_1\" ><title>x</title>\n"
	    "\t<use xlink:href='#gpDot' x='1' y='2'/>\n"
	    "\t<polygon fill = 'rgb(1, 2, 3)' points = '1,2 3,4 '/>\n"
	    "\t<g style=\"filter:url(#textbox)\">\n"
	    "\t\t<text xml:space=\"preserve\">javascript:alert(1) "
	    "&lt;img onerror=alert(2)> c]]>d &amp; </text>\n\t</g>\n"
	    "</g>\n</svg>\n";
	char *why, *out = clean(in, &why);

	CHECK(out != NULL && why == NULL);
	if (out == NULL) {
		fprintf(stderr, "  refused: %s\n", why);
		free(why);
		return;
	}
	/* Only '>' in text changes; tags and attributes are kept. */
	CHECK(strstr(out, "&lt;img onerror=alert(2)&gt; c]]&gt;d &amp; ") !=
	    NULL);
	CHECK(strstr(out, "<use xlink:href='#gpDot' x='1' y='2'/>") != NULL);
	CHECK(strncmp(out, "<?xml version", 13) == 0);
	CHECK(strstr(out, "<polygon fill='rgb(1, 2, 3)' points='1,2 3,4 '/>")
	    != NULL);
	CHECK(strlen(out) == strlen(in) + 6 - 4);
	CHECK(strncmp(svg_root(out), "<svg \n width", 12) == 0);
	free(out);
}

static void
test_active_content_refused(void)
{
	check_refused("<svg><g/><script>alert(1)</script></svg>",
	    "SVG byte 9: an element that is not a drawing element (script)");
	check_refused("<svg onload=\"alert(1)\"></svg>",
	    "an event handler attribute (onload)");
	check_refused("<svg><g ONclick='x'></g></svg>", "event handler");
	check_refused("<svg><foreignObject></foreignObject></svg>",
	    "not a drawing element");
	check_refused("<svg><text>a</text></svg><img src=x>",
	    "not a drawing element");
	check_refused("<svg><use href=\"http://x/y.svg#a\"/></svg>",
	    "out of the document");
	check_refused("<svg><use xlink:href='javascript:alert(1)'/></svg>",
	    "could run a script");
	check_refused("<svg><g style=\"fill:url(http://x/)\"></g></svg>",
	    "url() out of the document");
	check_refused("<svg><g fill='java&#115;cript:x'></g></svg>",
	    "could run a script");
	check_refused("<svg><!-- x --></svg>", "comment");
	check_refused("<svg><![CDATA[ x ]]></svg>", "CDATA");
	check_refused("<svg><?php x ?></svg>", "processing instruction");
	check_refused("<g></g>", "no <svg> element first");
	check_refused("text only", "no <svg> element");
	check_refused("<svg><g a=b></g></svg>", "quoted value");
	check_refused("<svg><g a='b></g></svg>", "unterminated");
	check_refused("<svg><svg:script/></svg>", "not a drawing element");
}

int
main(void)
{
	RUN(test_gnuplot_svg_kept);
	RUN(test_active_content_refused);
	return CHECK_EXIT();
}
