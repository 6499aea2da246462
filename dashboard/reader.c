/* reader.c - the status topic into the farm (see reader.h).
 *
 * A plain assign()ed consumer (never joins a group, never commits), like
 * the producer's follower: many dashboards may watch one farm, and none
 * moves anybody's offsets. A message that is not a status is skipped. */
#include "reader.h"

#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "errstr.h"
#include "kafka/since.h"
#include "log.h"

struct vs_dash_reader {
    rd_kafka_t *rk;
    vs_farm *farm;
    long bad;
};

static int assign_since(vs_dash_reader *r, const char *topic, double lookback_s, char *errstr,
                        size_t errsz)
{
    char why[300];
    int parts = vs_kafka_partition_count(r->rk, topic, 10000, NULL, why, sizeof why);
    if (parts < 0) {
        vs_set_err(errstr, errsz, "status topic: %s", why);
        return -1;
    }
    int64_t *since = calloc((size_t)parts, sizeof *since);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    int rc = -1;
    if (!since || !l) {
        vs_set_err(errstr, errsz, "out of memory");
        goto out;
    }
    int by_time = vs_kafka_offsets_since(r->rk, topic, parts, vs_clock_wall() - lookback_s,
                                         since, 10000) == 1;
    for (int p = 0; p < parts; p++) {
        int64_t off = RD_KAFKA_OFFSET_BEGINNING;
        if (by_time && since[p] >= 0)
            off = since[p];
        else if (by_time && since[p] == -1)
            off = RD_KAFKA_OFFSET_END;
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = off;
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(r->rk, l);
    if (err) {
        vs_set_err(errstr, errsz, "status topic %s: assign: %s", topic, rd_kafka_err2str(err));
        goto out;
    }
    vs_log(VS_LOG_INFO, "following %s (%d partition%s) from %s", topic, parts,
           parts == 1 ? "" : "s", by_time ? "an hour back" : "the oldest message kept");
    rc = 0;
out:
    free(since);
    if (l)
        rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int vs_dash_reader_open(const vs_kafka_conf *c, vs_farm *farm, double lookback_s,
                        vs_dash_reader **out, char *errstr, size_t errsz)
{
    *out = NULL;
    vs_dash_reader *r = calloc(1, sizeof *r);
    if (!r) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    r->farm = farm;
    if (!(r->rk = vs_kafka_reader_new(c, "vs-dash", "vs-dash", NULL, errstr, errsz)))
        goto fail;
    if (assign_since(r, c->status_topic, lookback_s, errstr, errsz) < 0)
        goto fail;
    *out = r;
    return 0;
fail:
    vs_dash_reader_close(&r);
    return -1;
}

void vs_dash_reader_poll(vs_dash_reader *r, int timeout_ms)
{
    double until = vs_clock_mono() + timeout_ms / 1000.0;
    for (;;) {
        double left = until - vs_clock_mono();
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->rk, left > 0 ? (int)(left * 1000) : 0);
        if (!m)
            return;
        if (!m->err) {
            vs_status st;
            char why[256];
            if (vs_status_parse(m->payload, m->len, &st, why, sizeof why) == 0)
                vs_farm_feed(r->farm, &st);
            else if (r->bad++ == 0)
                vs_log(VS_LOG_WARN, "skipping a message that is not a status: %s", why);
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            vs_log(VS_LOG_WARN, "status topic: %s", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
        if (left <= 0)
            return;
    }
}

void vs_dash_reader_close(vs_dash_reader **rp)
{
    if (!rp || !*rp)
        return;
    vs_dash_reader *r = *rp;
    if (r->rk) {
        rd_kafka_consumer_close(r->rk);
        rd_kafka_destroy(r->rk);
    }
    free(r);
    *rp = NULL;
}
