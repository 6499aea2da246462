/* client.c - shared Kafka configuration for producer and worker.
 *
 * Holds the farm options in one struct, builds librdkafka configurations
 * from them (role defaults first, then every -X property, each
 * rd_kafka_conf_set checked), routes librdkafka's log and errors through
 * vs_log, rewrites paths through --path-map rules, and creates missing
 * topics through the Admin API. */
#include "kafka/client.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "errstr.h"
#include "log.h"

static int replace_str(char **dst, const char *src)
{
    char *copy = src ? strdup(src) : NULL;
    if (src && !copy)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

int vs_kafka_conf_init(vs_kafka_conf *c)
{
    memset(c, 0, sizeof(*c));
    const char *env = getenv("VS_BROKERS");
    if ((env && *env && replace_str(&c->brokers, env) < 0) ||
        replace_str(&c->jobs_topic, VS_KAFKA_JOBS_TOPIC) < 0 ||
        replace_str(&c->status_topic, VS_KAFKA_STATUS_TOPIC) < 0 ||
        replace_str(&c->group, VS_KAFKA_GROUP) < 0) {
        vs_kafka_conf_release(c);
        return -1;
    }
    c->jobs_partitions = VS_KAFKA_JOBS_PARTITIONS;
    c->status_partitions = VS_KAFKA_STATUS_PARTITIONS;
    return 0;
}

void vs_kafka_conf_release(vs_kafka_conf *c)
{
    if (!c)
        return;
    free(c->brokers);
    free(c->jobs_topic);
    free(c->status_topic);
    free(c->group);
    free(c->dead_topic);
    for (size_t i = 0; i < c->n_props; i++)
        free(c->props[i]);
    free(c->props);
    vs_path_maps_release(&c->maps);
    memset(c, 0, sizeof(*c));
}

int vs_kafka_conf_copy(vs_kafka_conf *dst, const vs_kafka_conf *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->jobs_partitions = src->jobs_partitions;
    dst->status_partitions = src->status_partitions;
    if (replace_str(&dst->brokers, src->brokers) < 0 ||
        replace_str(&dst->jobs_topic, src->jobs_topic) < 0 ||
        replace_str(&dst->status_topic, src->status_topic) < 0 ||
        replace_str(&dst->group, src->group) < 0 ||
        replace_str(&dst->dead_topic, src->dead_topic) < 0)
        goto fail;
    if (src->n_props) {
        dst->props = calloc(src->n_props, sizeof(*dst->props));
        if (!dst->props)
            goto fail;
        for (; dst->n_props < src->n_props; dst->n_props++)
            if (!(dst->props[dst->n_props] = strdup(src->props[dst->n_props])))
                goto fail;
    }
    if (vs_path_maps_copy(&dst->maps, &src->maps) < 0)
        goto fail;
    return 0;
fail:
    vs_kafka_conf_release(dst);
    return -1;
}

int vs_kafka_conf_set_brokers(vs_kafka_conf *c, const char *brokers,
                              char *errstr, size_t errsz)
{
    if (!brokers || !*brokers) {
        vs_set_err(errstr, errsz, "empty broker list");
        return -1;
    }
    if (replace_str(&c->brokers, brokers) < 0) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    return 0;
}

/* Kafka topic names: 1..249 characters of [a-zA-Z0-9._-]. */
static int valid_topic(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 249 || !strcmp(t, ".") || !strcmp(t, ".."))
        return 0;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

int vs_kafka_conf_set_topic(vs_kafka_conf *c, int which, const char *name,
                            char *errstr, size_t errsz)
{
    if (!name || !valid_topic(name)) {
        vs_set_err(errstr, errsz, "invalid topic name '%s' (letters, digits, '.', '_', '-')",
                name ? name : "");
        return -1;
    }
    char **dst = which == VS_TOPIC_STATUS ? &c->status_topic
               : which == VS_TOPIC_DEAD ? &c->dead_topic : &c->jobs_topic;
    if (replace_str(dst, name) < 0) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    return 0;
}

const char *vs_kafka_dead_topic(const vs_kafka_conf *c, char *buf, size_t sz)
{
    if (c->dead_topic)
        snprintf(buf, sz, "%s", c->dead_topic);
    else if (strlen(c->jobs_topic) + strlen(VS_KAFKA_DEAD_SUFFIX) <= 249)
        snprintf(buf, sz, "%s%s", c->jobs_topic, VS_KAFKA_DEAD_SUFFIX);
    else
        snprintf(buf, sz, "%s%s", VS_KAFKA_JOBS_TOPIC, VS_KAFKA_DEAD_SUFFIX);
    return buf;
}

int vs_kafka_conf_set_group(vs_kafka_conf *c, const char *group,
                            char *errstr, size_t errsz)
{
    if (!group || !*group) {
        vs_set_err(errstr, errsz, "empty consumer group name");
        return -1;
    }
    if (replace_str(&c->group, group) < 0) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    return 0;
}

/* librdkafka properties that name a file it reads when a client is
 * created. ssl.ca.location may also be "probe" (the system's CAs). */
static const char *const file_props[] = {
    "ssl.ca.location", "ssl.certificate.location", "ssl.key.location",
    "ssl.keystore.location", "ssl.crl.location", "sasl.kerberos.keytab",
};

/* 0 when KEY=VAL names no file, or a readable one; else -1 with a reason. */
static int check_file_prop(const char *key, size_t keylen, const char *val,
                           char *errstr, size_t errsz)
{
    for (size_t i = 0; i < sizeof file_props / sizeof file_props[0]; i++) {
        if (strlen(file_props[i]) != keylen || strncmp(key, file_props[i], keylen))
            continue;
        if (!*val || !strcmp(val, "probe"))
            return 0;
        if (access(val, R_OK) != 0) {
            vs_set_err(errstr, errsz, "-X %s=%s: cannot read %s: %s", file_props[i], val, val,
                    strerror(errno));
            return -1;
        }
        return 0;
    }
    return 0;
}

int vs_kafka_conf_add_prop(vs_kafka_conf *c, const char *kv,
                           char *errstr, size_t errsz)
{
    const char *eq = kv ? strchr(kv, '=') : NULL;
    if (!eq || eq == kv) {
        vs_set_err(errstr, errsz, "-X wants key=value, got '%s'", kv ? kv : "");
        return -1;
    }
    if (check_file_prop(kv, (size_t)(eq - kv), eq + 1, errstr, errsz) < 0)
        return -1;
    char **grown = realloc(c->props, (c->n_props + 1) * sizeof(*grown));
    if (!grown) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    c->props = grown;
    if (!(c->props[c->n_props] = strdup(kv))) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    c->n_props++;
    return 0;
}

/* librdkafka's log and errors, through vs_log. librdkafka's own "errors"
 * are mostly transient (a broker went away and will be retried), so they
 * are warnings here; whoever handles a real failure reports it. A broker
 * that goes away makes every handle of a program log each failed
 * connection attempt: those are debug lines, and the outage itself is one
 * warning per program (at most one a minute), whichever handle sees it. */
static atomic_llong outage_said_s = -1000;
/* A refusal of this process's credentials (0 none, 1 being written, 2 set). */
static atomic_int refused_state;
static char refused_reason[1200];

int vs_kafka_refused(char *buf, size_t sz)
{
    if (atomic_load(&refused_state) != 2)
        return 0;
    if (buf && sz)
        snprintf(buf, sz, "%s", refused_reason);
    return 1;
}

static void set_refused(const char *what, const char *reason)
{
    int none = 0;
    if (!atomic_compare_exchange_strong(&refused_state, &none, 1))
        return;
    snprintf(refused_reason, sizeof refused_reason, "kafka: %s: %s", what, reason);
    atomic_store(&refused_state, 2);
    vs_log(VS_LOG_ERROR, "%s", refused_reason);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    enum vs_log_level lvl = level <= 4 ? VS_LOG_WARN : level <= 5 ? VS_LOG_INFO : VS_LOG_DEBUG;
    if (lvl == VS_LOG_INFO)
        lvl = VS_LOG_DEBUG; /* notices are chatter for a person running a job */
    /* One -X list serves the consumer and the producer of a program, so
     * "consumer property ignored by this producer" is expected. */
    if (!strcmp(fac, "CONFWARN") && strstr(buf, "will be ignored by this"))
        lvl = VS_LOG_DEBUG;
    /* Connections that failed or dropped, and the group session that
     * timed out with them: error_cb says what a person needs to know. */
    if (!strcmp(fac, "FAIL") || !strcmp(fac, "SESSTMOUT") || !strcmp(fac, "REQTMOUT"))
        lvl = VS_LOG_DEBUG;
    /* A consumer whose next offset the broker no longer has (retention, or
     * the embedded broker's 5 MiB per partition) goes on from the oldest
     * message left: data was lost, say so plainly. */
    if (!strcmp(fac, "OFFSET") && strstr(buf, "offset reset") && strstr(buf, "out of range")) {
        vs_log(VS_LOG_ERROR, "kafka %s: messages were lost before they were read (the broker "
               "dropped them: retention, or the embedded broker's 5 MiB per partition); going "
               "on from the oldest one left (%s)", rd_kafka_name(rk), buf);
        return;
    }
    vs_log(lvl, "kafka %s: %s: %s", rd_kafka_name(rk), fac, buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    if (rd_kafka_fatal_error(rk, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        vs_log(VS_LOG_ERROR, "kafka %s: fatal: %s", rd_kafka_name(rk), reason);
    } else if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
        /* librdkafka before 2.6.1 repeats the client nonce in SCRAM's final
         * message; Kafka 4 checks it as RFC 5802 says and refuses every
         * password (librdkafka PR #4895). */
        char mech[64] = "", buf[1024];
        size_t msz = sizeof mech;
        const rd_kafka_conf_t *conf = rd_kafka_conf(rk);
        if (conf && rd_kafka_conf_get(conf, "sasl.mechanisms", mech, &msz) != RD_KAFKA_CONF_OK)
            mech[0] = 0;
        if (rd_kafka_version() < 0x020601ff && !strncmp(mech, "SCRAM", 5)) {
            snprintf(buf, sizeof buf, "%s (if the password is right: librdkafka %s cannot log in "
                     "with SCRAM to Kafka 4 brokers, 2.6.1 can; use mutual TLS "
                     "instead, see docs/operations.md)", reason, rd_kafka_version_str());
            set_refused("authentication failed", buf);
        } else {
            set_refused("authentication failed", reason);
        }
    } else if (err == RD_KAFKA_RESP_ERR__SSL) {
        set_refused("TLS refused", reason);
    } else if (err == RD_KAFKA_RESP_ERR__TRANSPORT && strstr(reason, "SSL routines") &&
               strstr(reason, " alert ")) {
        /* With TLS 1.3 the broker's refusal of the client's certificate
         * arrives after the handshake, as a TLS alert on the first read. */
        set_refused("TLS refused by the broker", reason);
    } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        long long now = (long long)vs_clock_mono(), last = atomic_load(&outage_said_s);
        if (vs_kafka_refused(NULL, 0))
            vs_log(VS_LOG_DEBUG, "kafka %s: %s", rd_kafka_name(rk), reason); /* said why */
        else if (now - last >= 60 && atomic_compare_exchange_strong(&outage_said_s, &last, now))
            vs_log(VS_LOG_WARN, "kafka: no broker reachable (%s); retrying", reason);
        else
            vs_log(VS_LOG_DEBUG, "kafka %s: %s", rd_kafka_name(rk), reason);
    } else {
        vs_log(VS_LOG_DEBUG, "kafka %s: %s: %s", rd_kafka_name(rk),
               rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
    }
}

static int conf_set(rd_kafka_conf_t *conf, const char *key, const char *val,
                    const char *origin, char *errstr, size_t errsz)
{
    char why[512];
    if (rd_kafka_conf_set(conf, key, val, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        vs_set_err(errstr, errsz, "%s%s=%s: %s", origin, key, val, why);
        return -1;
    }
    return 0;
}

rd_kafka_conf_t *vs_kafka_conf_build(const vs_kafka_conf *c, enum vs_kafka_role role,
                                     const char *client_id, char *errstr, size_t errsz)
{
    if (!c->brokers || !*c->brokers) {
        vs_set_err(errstr, errsz, "no broker named (--brokers or VS_BROKERS)");
        return NULL;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        vs_set_err(errstr, errsz, "out of memory");
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);

    /* Role defaults; anything here can be overridden with -X. */
    struct kv { const char *k, *v; } defs[12];
    size_t n = 0;
    defs[n++] = (struct kv){"bootstrap.servers", c->brokers};
    defs[n++] = (struct kv){"client.id", client_id && *client_id ? client_id : "vs"};
    switch (role) {
    case VS_KAFKA_PRODUCER:
        defs[n++] = (struct kv){"acks", "all"};
        defs[n++] = (struct kv){"linger.ms", "5"};
        /* Job plans are repetitive JSON: lz4 shrinks them several times,
         * for the broker's retention and the embedded broker's 5 MiB. */
        defs[n++] = (struct kv){"compression.codec", "lz4"};
        break;
    case VS_KAFKA_CONSUMER:
        defs[n++] = (struct kv){"group.id", c->group};
        defs[n++] = (struct kv){"partition.assignment.strategy", "cooperative-sticky"};
        /* Heartbeats come from librdkafka's own thread, so a short session
         * is safe; the embedded broker's rebalances last this long. */
        defs[n++] = (struct kv){"session.timeout.ms", "10000"};
        defs[n++] = (struct kv){"heartbeat.interval.ms", "2000"};
        defs[n++] = (struct kv){"auto.offset.reset", "earliest"};
        defs[n++] = (struct kv){"enable.auto.offset.store", "false"};
        /* The worker commits itself, right after a job is final and
         * again until the commit went through. */
        defs[n++] = (struct kv){"enable.auto.commit", "false"};
        break;
    case VS_KAFKA_READER:
        /* assign() needs a group id in librdkafka 2.0; a reader never
         * joins or commits, so the name only has to be unlike the
         * workers' group. */
        defs[n++] = (struct kv){"group.id", "vs-status-reader"};
        defs[n++] = (struct kv){"enable.auto.commit", "false"};
        defs[n++] = (struct kv){"auto.offset.reset", "earliest"};
        break;
    }
    for (size_t i = 0; i < n; i++)
        if (conf_set(conf, defs[i].k, defs[i].v, "", errstr, errsz) < 0)
            goto fail;

    for (size_t i = 0; i < c->n_props; i++) {
        char *kv = strdup(c->props[i]);
        if (!kv) {
            vs_set_err(errstr, errsz, "out of memory");
            goto fail;
        }
        char *eq = strchr(kv, '=');
        *eq = 0;
        /* One -X list serves every client of a program; librdkafka
         * ignores (with a warning) a consumer key on a producer. */
        char why[512];
        rd_kafka_conf_res_t r = rd_kafka_conf_set(conf, kv, eq + 1, why, sizeof(why));
        if (r != RD_KAFKA_CONF_OK) {
            vs_set_err(errstr, errsz, "-X %s=%s: %s", kv, eq + 1, why);
            free(kv);
            goto fail;
        }
        free(kv);
    }
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* Whether every partition of a topic has a leader. */
static int topic_led(const rd_kafka_metadata_topic_t *t)
{
    for (int p = 0; p < t->partition_cnt; p++)
        if (t->partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR || t->partitions[p].leader < 0)
            return 0;
    return 1;
}

/* Which of the two topics already exist (metadata of all topics); with
 * led, only those whose every partition has a leader count. */
static void existing_topics(rd_kafka_t *rk, const vs_kafka_conf *c, int timeout_ms, int led,
                            int *have_jobs, int *have_status)
{
    const struct rd_kafka_metadata *md = NULL;
    *have_jobs = *have_status = 0;
    /* In slices, so that a refused client does not wait the whole time. */
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    for (int waited = 0; waited < timeout_ms; waited += 500) {
        rd_kafka_poll(rk, 0); /* serves error_cb, which notes a refusal */
        if (vs_kafka_refused(NULL, 0))
            break;
        e = rd_kafka_metadata(rk, 1, NULL, &md, 500);
        if (e != RD_KAFKA_RESP_ERR__TIMED_OUT && e != RD_KAFKA_RESP_ERR__TRANSPORT)
            break;
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    for (int i = 0; i < md->topic_cnt; i++) {
        if (md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR || md->topics[i].partition_cnt <= 0)
            continue;
        if (led && !topic_led(&md->topics[i]))
            continue;
        if (!strcmp(md->topics[i].topic, c->jobs_topic))
            *have_jobs = 1;
        if (!strcmp(md->topics[i].topic, c->status_topic))
            *have_status = 1;
    }
    rd_kafka_metadata_destroy(md);
}

rd_kafka_t *vs_kafka_reader_new(const vs_kafka_conf *c, const char *client_id,
                                const char *group, const char *offset_reset,
                                char *errstr, size_t errsz)
{
    char why[512];
    rd_kafka_conf_t *conf = vs_kafka_conf_build(c, VS_KAFKA_READER, client_id, errstr, errsz);
    if (!conf)
        return NULL;
    if ((group && rd_kafka_conf_set(conf, "group.id", group, why, sizeof why)) ||
        (offset_reset &&
         rd_kafka_conf_set(conf, "auto.offset.reset", offset_reset, why, sizeof why))) {
        rd_kafka_conf_destroy(conf);
        vs_set_err(errstr, errsz, "status reader: %s", why);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        vs_set_err(errstr, errsz, "status reader: %s", why);
    }
    return rk;
}

int vs_kafka_ensure_topics(rd_kafka_t *rk, const vs_kafka_conf *c, int timeout_ms)
{
    int have_jobs, have_status, created = 0;
    existing_topics(rk, c, timeout_ms, 0, &have_jobs, &have_status);
    if (vs_kafka_refused(NULL, 0))
        return -1;
    if (have_jobs && have_status)
        return 0;

    rd_kafka_NewTopic_t *nt[2];
    size_t n = 0;
    char why[512];
    if (!have_jobs)
        nt[n++] = rd_kafka_NewTopic_new(c->jobs_topic, c->jobs_partitions > 0 ?
                                        c->jobs_partitions : VS_KAFKA_JOBS_PARTITIONS,
                                        -1, why, sizeof(why));
    if (!have_status)
        nt[n++] = rd_kafka_NewTopic_new(c->status_topic, c->status_partitions > 0 ?
                                        c->status_partitions : VS_KAFKA_STATUS_PARTITIONS,
                                        -1, why, sizeof(why));
    for (size_t i = 0; i < n; i++) {
        if (!nt[i]) {
            vs_log(VS_LOG_WARN, "cannot describe a new topic: %s", why);
            for (size_t j = 0; j < n; j++)
                rd_kafka_NewTopic_destroy(nt[j]);
            return 0;
        }
    }

    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(ao, timeout_ms, why, sizeof(why));
    rd_kafka_AdminOptions_set_operation_timeout(ao, timeout_ms, why, sizeof(why));
    rd_kafka_CreateTopics(rk, nt, n, ao, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
    if (!ev) {
        vs_log(VS_LOG_WARN, "creating topics: no answer within %d ms; "
               "assuming they exist or are created on first use", timeout_ms);
    } else if (rd_kafka_event_error(ev)) {
        vs_log(VS_LOG_WARN, "creating topics refused: %s; assuming they exist "
               "or are created on first use", rd_kafka_event_error_string(ev));
    } else {
        size_t cnt = 0;
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &cnt);
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
                vs_log(VS_LOG_INFO, "created topic %s", rd_kafka_topic_result_name(tr[i]));
                created++;
            } else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                const char *msg = rd_kafka_topic_result_error_string(tr[i]);
                vs_log(VS_LOG_WARN, "creating topic %s refused: %s", rd_kafka_topic_result_name(tr[i]),
                       msg ? msg : rd_kafka_err2str(e));
            }
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy_array(nt, n);
    /* A real broker answers CreateTopics before the new partitions have
     * leaders everywhere; the first look-ups would get "Not leader". */
    for (int waited = 0; created && waited < timeout_ms; waited += 200) {
        existing_topics(rk, c, timeout_ms, 1, &have_jobs, &have_status);
        if (have_jobs && have_status)
            break;
        usleep(200 * 1000);
    }
    return created;
}
