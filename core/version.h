/* version.h: medload's version. */
#ifndef MEDLOAD_VERSION_H
#define MEDLOAD_VERSION_H

#define MEDLOAD_VERSION "0.1.0"

#endif
