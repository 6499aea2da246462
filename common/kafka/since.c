/* since.c - reading a topic from a time; see since.h. */
#include "kafka/since.h"

#include <stdlib.h>

#include "errstr.h"
#include "log.h"

int vs_kafka_partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms,
                             rd_kafka_resp_err_t *err, char *errstr, size_t errsz)
{
    rd_kafka_resp_err_t dummy;
    if (!err)
        err = &dummy;
    *err = 0;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    if (!t) {
        vs_set_err(errstr, errsz, "topic %s: %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, timeout_ms);
    rd_kafka_topic_destroy(t);
    int n = -1;
    *err = e ? e : md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (e)
        vs_set_err(errstr, errsz, "topic %s: %s", topic, rd_kafka_err2str(e));
    else if (md->topic_cnt != 1 || md->topics[0].err)
        vs_set_err(errstr, errsz, "topic %s: %s", topic,
                   md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "not found");
    else if (md->topics[0].partition_cnt <= 0)
        vs_set_err(errstr, errsz, "topic %s: no partitions", topic);
    else
        n = md->topics[0].partition_cnt;
    if (md)
        rd_kafka_metadata_destroy(md);
    return n;
}

/* Whether the broker really looks offsets up by time (see since.h). */
static int indexes_time(rd_kafka_t *rk, const char *topic, int n, int timeout_ms)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
    for (int i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topic, i)->offset = 1;
    int ok = 1;
    if (rd_kafka_offsets_for_times(rk, l, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < n && ok; i++) {
            int64_t lo = 0, hi = 0;
            if (l->elems[i].err ||
                rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, timeout_ms))
                continue;
            if (hi > lo && (l->elems[i].offset < lo || l->elems[i].offset >= hi))
                ok = 0;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return ok;
}

int vs_kafka_offsets_since(rd_kafka_t *rk, const char *topic, int n, double since_wall,
                           int64_t *offsets, int timeout_ms)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
    int64_t since_ms = (int64_t)(since_wall * 1000.0);
    for (int i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topic, i)->offset = since_ms;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, l, timeout_ms);
    int rc = 0;
    if (e) {
        vs_log(VS_LOG_DEBUG, "%s: no lookup by time (%s)", topic, rd_kafka_err2str(e));
    } else if (!indexes_time(rk, topic, n, timeout_ms)) {
        vs_log(VS_LOG_DEBUG, "%s: the broker does not look up offsets by time", topic);
    } else {
        for (int i = 0; i < n; i++) {
            const rd_kafka_topic_partition_t *p = &l->elems[i];
            offsets[i] = p->err ? VS_SINCE_UNKNOWN : p->offset < 0 ? -1 : p->offset;
        }
        rc = 1;
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}
