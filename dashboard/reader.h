/* reader.h - vs-dash's reader of the status topic: from an hour back (or
 * the oldest message the broker keeps, where it cannot look up by time),
 * then every new message, into the farm. */
#ifndef VS_DASH_READER_H
#define VS_DASH_READER_H
#include <stddef.h>

#include "farm.h"
#include "kafka/client.h"

typedef struct vs_dash_reader vs_dash_reader;

/* Borrows c and farm. lookback_s: how far back to start. Returns 0 or -1
 * with errstr (a bad -X, no broker answers, no status topic). */
int vs_dash_reader_open(const vs_kafka_conf *c, vs_farm *farm, double lookback_s,
                        vs_dash_reader **out, char *errstr, size_t errsz);
/* Reads for up to timeout_ms, feeding the farm. */
void vs_dash_reader_poll(vs_dash_reader *r, int timeout_ms);
void vs_dash_reader_close(vs_dash_reader **r);

#endif
