/*
 * svg.h: checks and tidies the SVG gnuplot writes before medload keeps it
 * in a chart folder or inlines it in a page. Strings from traces reach
 * gnuplot's SVG only as text content (gnuplot escapes & and <); svg_clean
 * makes sure of it without trusting gnuplot: every tag must be an SVG
 * element of the kinds gnuplot draws with, no attribute may be an event
 * handler (on...), a reference (href) must point inside the document
 * (#...), url(...) likewise, and no value may hold "javascript:";
 * comments, CDATA sections and processing instructions (but the XML
 * declaration first) are refused. So no live script or handler can reach
 * a page, whatever a label says ("javascript:", " onload=", "<svg>").
 * Text keeps its characters, with '>' written as &gt; (gnuplot leaves it
 * raw, so a label holding "]]>" made the file malformed XML).
 */
#ifndef MEDLOAD_SVG_H
#define MEDLOAD_SVG_H

#include <stddef.h>

/*
 * Checks svg (len bytes) and returns its tidied copy, NUL-terminated
 * (caller frees), or NULL with *cause (caller frees) saying what was
 * refused and where (a byte offset).
 */
char *svg_clean(const char *svg, size_t len, char **cause);

/*
 * The root element of a tidied SVG: svg from its "<svg" tag on, past the
 * XML declaration (borrowed; NULL when there is none).
 */
const char *svg_root(const char *svg);

#endif
