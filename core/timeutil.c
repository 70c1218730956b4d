/* timeutil.c: calendar time parsing and formatting without locale or TZ. */
#include "timeutil.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's method). */
static long long
time_days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Reads exactly n digits at *p into *v. */
static int
time_digits(const char **p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

/* Days in a month of a year. */
static int
time_mdays(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

int
time_parse(const char *s, double *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, zh, zm = 0, sign;
	double frac = 0, scale = 0.1, t;

	while (*p == ' ')
		p++;
	if (time_digits(&p, 4, &y) || *p++ != '-' || time_digits(&p, 2, &mo) ||
	    *p++ != '-' || time_digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > time_mdays(y, mo))
		return -1;
	if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		if (time_digits(&p, 2, &h) || *p++ != ':' ||
		    time_digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (time_digits(&p, 2, &sec))
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				while (isdigit((unsigned char)*p)) {
					frac += (*p - '0') * scale;
					scale /= 10;
					p++;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
	}
	t = (double)time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec + frac;
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (time_digits(&p, 2, &zh))
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && time_digits(&p, 2, &zm))
			return -1;
		if (zh > 23 || zm > 59)
			return -1;
		t -= sign * (zh * 3600 + zm * 60);
	} else if (strncmp(p, "UTC", 3) == 0)
		p += 3;
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return -1;
	*out = t;
	return 0;
}

int
time_parse_duration(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || !(isdigit((unsigned char)*s) || *s == '.'))
		return -1;
	v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		;
	else if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		v *= 60;
	else if (strcmp(end, "h") == 0)
		v *= 3600;
	else if (strcmp(end, "d") == 0)
		v *= 86400;
	else
		return -1;
	if (!(v >= 0))
		return -1;
	*out = v;
	return 0;
}

int
time_parse_when(const char *s, double now, double *out)
{
	double d;

	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (s[0] == '-' && time_parse_duration(s + 1, &d) == 0) {
		*out = now - d;
		return 0;
	}
	return time_parse(s, out);
}

const char *
time_format(double epoch, char buf[TIME_BUF])
{
	time_t secs = 0;
	long usec = 0;
	struct tm tm;

	/* Beyond time_t (or NaN) the conversion is undefined: the epoch. */
	if (epoch > -9e18 && epoch < 9e18) {
		secs = (time_t)floor(epoch);
		usec = lround((epoch - (double)secs) * 1e6);
	}
	if (usec >= 1000000) {
		secs++;
		usec -= 1000000;
	}
	if (gmtime_r(&secs, &tm) == NULL) {
		snprintf(buf, TIME_BUF, "1970-01-01T00:00:00.000000Z");
		return buf;
	}
	snprintf(buf, TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(usec % 1000000));
	return buf;
}

double
time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
time_generated(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	double v;

	if (e != NULL && util_parse_double(e, &v) == 0)
		return v;
	return time_now();
}
